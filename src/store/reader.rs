//! Read-only access to a stats database: the catalog eagerly, activations on demand.

use std::io::Read;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::blob;
use super::catalog::{check_identity, read_catalog, read_steps_only};
use super::error::{Problem, Result, StoreError};
use crate::model::{Catalog, ImageId, Layer, StepId, Thumbnail};

/// An open stats database. Never writes to the file.
pub struct Store {
    path: PathBuf,
    conn: Connection,
    catalog: Catalog,
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
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let (store, problems) = Store::open_lenient(path)?;
        let mut problems = problems.into_iter();
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
        check_sqlite_header(path).map_err(err)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| err(e.into()))?;
        check_identity(&conn).map_err(|p| err(sqlite_meaning(p)))?;
        let (catalog, problems) = read_catalog(&conn).map_err(err)?;
        let store = Store {
            path: path.to_path_buf(),
            conn,
            catalog,
        };
        Ok((store, problems))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn err(&self, problem: Problem) -> StoreError {
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

    /// Loads one (step, layer) as an N x dim matrix, rejecting NaN and infinite values.
    pub fn load(&self, step: StepId, layer: &str) -> Result<Array2<f32>> {
        let values = self.load_unchecked(step, layer)?;
        match blob::non_finite(&values) {
            None => Ok(values),
            Some((count, first_image)) => Err(self.err(Problem::NonFinite {
                step,
                layer: layer.to_string(),
                count,
                first_image,
            })),
        }
    }

    /// Loads one (step, layer) without the finiteness scan (`check` reports it itself).
    pub fn load_unchecked(&self, step: StepId, layer: &str) -> Result<Array2<f32>> {
        let dim = self.check_available(step, layer)?.dim;
        let rows = self.catalog.num_images();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM activations WHERE step = ?1 AND layer = ?2")
            .map_err(|e| self.err(e.into()))?;
        let values = stmt
            .query_row((step, layer), |row| {
                let bytes = row.get_ref(0)?.as_blob()?;
                if bytes.len() != rows * dim * 4 {
                    return Ok(Err(bytes.len()));
                }
                Ok(Ok(blob::decode(bytes, rows, dim)))
            })
            .map_err(|e| self.err(e.into()))?;
        values.map_err(|found| {
            self.err(Problem::BlobLength {
                step,
                layer: layer.to_string(),
                found,
                expected: rows * dim * 4,
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
                Ok(Thumbnail {
                    width: r.get::<_, i64>(0)?.max(0) as usize,
                    height: r.get::<_, i64>(1)?.max(0) as usize,
                    channels: r.get::<_, i64>(2)?.max(0) as usize,
                    pixels: r.get(3)?,
                })
            })
            .optional()
            .map_err(|e| self.err(e.into()))?;
        // Sizes were checked at open; re-check so a file changed since then cannot panic us.
        Ok(row.filter(|t| {
            matches!(t.channels, 1 | 3) && t.pixels.len() == t.width * t.height * t.channels
        }))
    }

    /// Re-reads the list of steps; returns true when it changed (a run still training).
    pub fn refresh_steps(&mut self) -> Result<bool> {
        let steps = read_steps_only(&self.conn, &self.catalog).map_err(|p| self.err(p))?;
        let changed = steps != self.catalog.steps;
        self.catalog.steps = steps;
        Ok(changed)
    }
}

/// Distinguishes "no file" and "not SQLite" before SQLite gives its vaguer messages.
fn check_sqlite_header(path: &Path) -> Result<(), Problem> {
    let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Problem::NotFound,
        _ => Problem::Io(e.to_string()),
    })?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Problem::Io("it is a directory".into()));
    }
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(Problem::Io(e.to_string())),
        }
    }
    if read == 0 {
        return Err(Problem::Invalid(
            "empty file, not a deepscope stats database".into(),
        ));
    }
    if read < header.len() || header != *b"SQLite format 3\0" {
        return Err(Problem::NotSqlite);
    }
    Ok(())
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
