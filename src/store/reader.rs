//! Read-only access to a stats database: the catalog eagerly, activations on demand.

use std::path::{Path, PathBuf};

use ndarray::Array2;
use rusqlite::{Connection, OptionalExtension};

use super::blob::{self, Scan};
use super::catalog::{check_identity, read_catalog, read_steps_only};
use super::error::{Problem, Result, StoreError};
use super::open::{Header, connect, read_header, sidecar, wal_appeared};
use crate::model::{Catalog, ImageId, Layer, StepId, Thumbnail};

/// An open stats database. Never writes to the file, nor creates anything beside it.
pub struct Store {
    path: PathBuf,
    pub(super) conn: Connection,
    catalog: Catalog,
    header: Header,
    /// Opened `immutable=1` (a WAL-mode file nobody was writing): reopen if a writer starts.
    immutable: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens `path` read-only and checks every invariant that does not need the BLOBs' content.
    /// Text that is not valid UTF-8 is read lossily rather than refused.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let (store, problems) = Store::open_lenient(path)?;
        let mut problems = problems
            .into_iter()
            .filter(Problem::is_fatal)
            .collect::<Vec<_>>()
            .into_iter();
        match problems.next() {
            None => Ok(store),
            Some(first) => Err(StoreError::with_more(&store.path, first, problems.len())),
        }
    }

    /// Opens `path` and returns the problems found instead of failing on them, for `check`.
    /// Fails only when the file is not a readable deepscope database at all.
    pub fn open_lenient(path: impl AsRef<Path>) -> Result<(Store, Vec<Problem>)> {
        let path = path.as_ref();
        let err = |p: Problem| StoreError::new(path, p);
        let header = read_header(path).map_err(err)?;
        let (conn, immutable) = connect(path, header).map_err(|p| err(sqlite_meaning(p)))?;
        check_identity(&conn).map_err(|p| err(identity_meaning(path, header, p)))?;
        let (catalog, problems) = read_catalog(&conn).map_err(err)?;
        let store = Store {
            path: path.to_path_buf(),
            conn,
            catalog,
            header,
            immutable,
        };
        Ok((store, problems))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub(super) fn err(&self, problem: Problem) -> StoreError {
        StoreError::new(&self.path, problem)
    }

    /// Looks up a layer by name, with an error listing the layers that exist.
    pub fn layer(&self, name: &str) -> Result<&Layer> {
        self.catalog.layer(name).ok_or_else(|| {
            self.err(Problem::UnknownLayer {
                layer: name.to_string(),
                available: self.catalog.describe_layers(),
            })
        })
    }

    /// Checks that `step` exists and has `layer`, with errors that list what does exist.
    pub fn check_available(&self, step: StepId, layer: &str) -> Result<&Layer> {
        let found = self.layer(layer)?;
        let Some(s) = self.catalog.step(step) else {
            return Err(self.err(Problem::UnknownStep {
                step,
                available: self.catalog.describe_steps(),
            }));
        };
        if !s.has_layer(layer) {
            return Err(self.err(Problem::LayerNotAtStep {
                step,
                layer: layer.to_string(),
                available: crate::model::describe_list(s.layers.clone()),
            }));
        }
        Ok(found)
    }

    /// Loads one (step, layer) as an N x dim matrix, rejecting NaN, infinite values and
    /// magnitudes beyond [`MAX_MAGNITUDE`](crate::store::MAX_MAGNITUDE) (see there why).
    pub fn load(&self, step: StepId, layer: &str) -> Result<Array2<f32>> {
        let (values, scan) = self.load_scanned(step, layer)?;
        match problems(step, layer, scan).into_iter().next() {
            None => Ok(values),
            Some(problem) => Err(self.err(problem)),
        }
    }

    /// Loads one (step, layer) with what a scan of its values found (`check` reports every
    /// problem rather than the first).
    pub fn load_scanned(&self, step: StepId, layer: &str) -> Result<(Array2<f32>, Scan)> {
        let dim = self.check_available(step, layer)?.dim;
        let rows = self.catalog.num_images();
        if let Some(found) = self.read_matrix(step, layer, rows, dim)? {
            return Ok(found);
        }
        let values = self.with_blob(step, layer, |bytes| blob::decode(bytes, rows, dim))?;
        let scan = blob::scan(values.view());
        Ok((values, scan))
    }

    /// Runs `f` on one (step, layer)'s BLOB in SQLite's own buffer, for a pass that needs no
    /// decoded copy (the accuracy scan). `f` returns `None` when the length is not N x dim
    /// `f32`, reported as the wrong length it is.
    pub fn with_blob<T>(
        &self,
        step: StepId,
        layer: &str,
        f: impl FnOnce(&[u8]) -> Option<T>,
    ) -> Result<T> {
        let dim = self.check_available(step, layer)?.dim;
        let rows = self.catalog.num_images();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM activations WHERE step = ?1 AND layer = ?2")
            .map_err(|e| self.err(e.into()))?;
        let values = stmt
            .query_row((step, layer), |row| {
                // A BLOB stored as TEXT (or a number) is still the wrong thing: its length is
                // reported like any other wrong length.
                let bytes = match row.get_ref(0)? {
                    rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
                    _ => &[],
                };
                Ok(f(bytes).ok_or(bytes.len()))
            })
            .map_err(|e| self.err(e.into()))?;
        values.map_err(|found| {
            self.err(Problem::BlobLength {
                step,
                layer: layer.to_string(),
                found,
                expected: rows.saturating_mul(dim).saturating_mul(4),
                images: rows,
                dim,
            })
        })
    }

    /// The thumbnail of one image, if the run stored one.
    pub fn thumbnail(&self, image: ImageId) -> Result<Option<Thumbnail>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT width, height, channels, pixels FROM thumbnails WHERE image = ?1",
            )
            .map_err(|e| self.err(e.into()))?;
        let row = stmt
            .query_row([image], |r| {
                let size =
                    |i| Ok::<_, rusqlite::Error>(usize::try_from(r.get::<_, i64>(i)?).unwrap_or(0));
                Ok(Thumbnail {
                    width: size(0)?,
                    height: size(1)?,
                    channels: size(2)?,
                    pixels: r.get(3)?,
                })
            })
            .optional()
            .map_err(|e| self.err(e.into()))?;
        // Sizes were checked at open; re-check (without overflow: width 2^62 times 4 wraps
        // to 0) so that a file changed since then cannot make a viewer index out of bounds.
        Ok(row.filter(|t| {
            let expected = t
                .width
                .checked_mul(t.height)
                .and_then(|p| p.checked_mul(t.channels));
            t.width > 0
                && t.height > 0
                && matches!(t.channels, 1 | 3)
                && expected == Some(t.pixels.len())
        }))
    }

    /// Re-reads the list of steps; returns true when it changed (a run still training).
    /// When the new steps name what the catalog lacks (a logger declares its layers just
    /// before the first step), the whole catalog is read again, with the checks of `open`.
    pub fn refresh_steps(&mut self) -> Result<bool> {
        if self.immutable && wal_appeared(&self.path) {
            // A writer started on a file we read as immutable: follow it from now on.
            let (conn, immutable) = connect(&self.path, self.header).map_err(|p| self.err(p))?;
            self.conn = conn;
            self.immutable = immutable;
        }
        let Ok(steps) = read_steps_only(&self.conn, &self.catalog) else {
            return self.reread_catalog();
        };
        let changed = steps != self.catalog.steps;
        self.catalog.steps = steps;
        Ok(changed)
    }

    fn reread_catalog(&mut self) -> Result<bool> {
        let (catalog, problems) = read_catalog(&self.conn).map_err(|p| self.err(p))?;
        if let Some(fatal) = problems.into_iter().find(Problem::is_fatal) {
            return Err(self.err(fatal));
        }
        let changed = catalog != self.catalog;
        self.catalog = catalog;
        Ok(changed)
    }
}

/// NaN or infinite values first, then values too large for the analyses.
pub(super) fn value_problems(
    step: StepId,
    layer: &str,
    values: ndarray::ArrayView2<f32>,
) -> Vec<Problem> {
    problems(step, layer, blob::scan(values))
}

/// The problems a scan of (step, layer) found, unusable values before too large ones.
pub(super) fn problems(step: StepId, layer: &str, scan: Scan) -> Vec<Problem> {
    let non_finite = scan.non_finite.map(|u| Problem::NonFinite {
        step,
        layer: layer.to_string(),
        count: u.count,
        first_image: u.first_row,
    });
    let too_large = scan.too_large.map(|u| Problem::TooLarge {
        step,
        layer: layer.to_string(),
        count: u.count,
        first_image: u.first_row,
    });
    non_finite.into_iter().chain(too_large).collect()
}

/// A WAL-mode file whose application id is still 0 and whose -wal is gone was copied while
/// its writer was alive, before any commit reached the main file: say where the data is.
fn identity_meaning(path: &Path, header: Header, problem: Problem) -> Problem {
    let wal = sidecar(path, "-wal");
    match problem {
        Problem::NotDeepscope { found: 0 } if header.wal_mode && !wal.exists() => {
            Problem::MissingWal {
                wal: wal.display().to_string(),
            }
        }
        other => other,
    }
}

/// SQLite's "file is not a database" means a damaged or foreign file past the header.
fn sqlite_meaning(problem: Problem) -> Problem {
    match problem {
        Problem::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Problem::NotSqlite
        }
        other => other,
    }
}

impl Store {
    /// SQLite's own structural check of the file.
    pub(super) fn quick_check(&self) -> Result<String, Problem> {
        Ok(self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))?)
    }
}
