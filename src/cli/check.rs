//! `deepscope check`: validate everything in a database and list every problem found.

use std::path::PathBuf;

use std::io::Write;

use clap::Args;

use super::CliResult;
use crate::query::Error;
use crate::store::check;
use crate::text::{escape, escape_path};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Stats database to validate
    pub db: PathBuf,
}

pub fn run(args: &CheckArgs, out: &mut dyn std::io::Write) -> CliResult {
    let report = check(&args.db)?;
    let c = &report.catalog;
    if report.problems.is_empty() {
        writeln!(
            out,
            "{}: ok: {} images, {} classes, {} layers, {} steps, {} activation BLOBs scanned",
            escape_path(&args.db),
            c.num_images(),
            c.num_classes(),
            c.layers.len(),
            c.steps.len(),
            report.blobs_scanned
        )?;
        return Ok(());
    }
    // Problems go to stderr, like any other bad-input message; the exit code says 2.
    let mut err = std::io::stderr().lock();
    let db = escape_path(&args.db);
    for p in &report.problems {
        writeln!(err, "{db}: {}", escape(&p.to_string()))?;
    }
    writeln!(
        err,
        "{db}: {} problem{} found",
        report.problems.len(),
        if report.problems.len() == 1 { "" } else { "s" }
    )?;
    Err(Error::Reported)
}
