//! Full validation of a database, like `PRAGMA integrity_check` for deepscope's contract.

use std::path::Path;

use super::error::{Problem, Result, StoreError};
use super::reader::{Store, problems as problems_of};
use crate::model::Catalog;

/// What `check` found: the catalog (when the file could be read at all) and every problem.
pub struct CheckReport {
    pub catalog: Catalog,
    pub problems: Vec<Problem>,
    /// Number of (step, layer) BLOBs whose values were scanned.
    pub blobs_scanned: usize,
}

/// Checks every invariant, every BLOB's length and every value. Fails only when the file
/// cannot be read as a deepscope database at all; everything else is collected.
pub fn check(path: &Path) -> Result<CheckReport, StoreError> {
    let (store, mut problems) = Store::open_lenient(path)?;
    let mut blobs_scanned = 0;
    for step in &store.catalog().steps {
        for layer in &step.layers {
            match store.load_scanned(step.step, layer) {
                Ok((_, scan)) => {
                    blobs_scanned += 1;
                    problems.extend(problems_of(step.step, layer, scan));
                }
                Err(e) => problems.push(e.problem),
            }
        }
    }
    if let Err(e) = integrity(&store) {
        problems.push(e);
    }
    Ok(CheckReport {
        catalog: store.catalog().clone(),
        problems,
        blobs_scanned,
    })
}

fn integrity(store: &Store) -> Result<(), Problem> {
    let verdict = store.quick_check()?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(Problem::Invalid(format!(
            "SQLite integrity check failed: {verdict}"
        )))
    }
}
