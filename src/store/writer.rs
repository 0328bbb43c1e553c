//! Creates and appends to stats databases. Used by the sample trainer, `import` and `synth`.

use std::path::{Path, PathBuf};

use ndarray::ArrayView2;
use rusqlite::{Connection, params};

use super::blob;
use super::catalog::{check_identity, read_catalog};
use super::error::{Problem, Result, StoreError};
use super::reader::value_problems;
use crate::model::{ClassId, LayerKind, StepId, Thumbnail};

/// How a new database protects its steps. Both keep every step all-or-nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Journal {
    /// Write-ahead log: a viewer can read while steps are written, never waiting. Every page
    /// is written twice (to the log, then back into the file).
    Wal,
    /// Rollback journal: new pages are written once, about 1.4 times faster for bulk runs
    /// (`synth`), but a commit waits for readers to finish.
    Rollback,
}

impl Journal {
    fn pragma(self) -> &'static str {
        match self {
            Journal::Wal => "WAL",
            Journal::Rollback => "DELETE",
        }
    }
}

/// Writes one stats database. Every step is one transaction (WAL mode by default), so that
/// a viewer reading the file never sees half a step.
pub struct Writer {
    path: PathBuf,
    conn: Connection,
    num_classes: usize,
    num_images: usize,
    /// (name, dim) of every declared layer.
    layers: Vec<(String, usize)>,
    /// One piece of an encoded BLOB on its way into the file (see [`write_activation`]).
    piece: Vec<u8>,
}

impl Writer {
    /// Creates a new database at `path` in WAL mode, to be watched while it grows; fails if
    /// the file already exists.
    pub fn create(path: impl AsRef<Path>) -> Result<Writer> {
        Writer::create_with(path, Journal::Wal)
    }

    /// Creates a new database with the given journal; fails if the file already exists.
    pub fn create_with(path: impl AsRef<Path>, journal: Journal) -> Result<Writer> {
        let path = path.as_ref();
        let err = |p: Problem| StoreError::new(path, p);
        if path.exists() {
            return Err(err(Problem::Invalid("file already exists".into())));
        }
        let conn = Connection::open(path).map_err(|e| err(e.into()))?;
        // Activations are large BLOBs stored as chains of overflow pages: 64 KiB pages make
        // those chains 16 times shorter than the default 4 KiB (must precede the first table).
        conn.pragma_update(None, "page_size", 65536)
            .map_err(|e| err(e.into()))?;
        conn.execute_batch(include_str!("schema.sql"))
            .map_err(|e| err(e.into()))?;
        Writer::configure(&conn, journal).map_err(err)?;
        Ok(Writer {
            path: path.to_path_buf(),
            conn,
            num_classes: 0,
            num_images: 0,
            layers: vec![],
            piece: Vec::with_capacity(PIECE),
        })
    }

    /// Opens an existing, valid database to append steps to it.
    pub fn append(path: impl AsRef<Path>) -> Result<Writer> {
        let path = path.as_ref();
        let err = |p: Problem| StoreError::new(path, p);
        // Validate first through the read-only path, so a bad file is never touched.
        let (store, problems) = super::Store::open_lenient(path)?;
        if let Some(first) = problems.into_iter().next() {
            return Err(err(first));
        }
        drop(store);
        let conn = Connection::open(path).map_err(|e| err(e.into()))?;
        check_identity(&conn).map_err(err)?;
        let (catalog, _) = read_catalog(&conn).map_err(err)?;
        // Keep the file's journal mode: switching it rewrites the header, and an append
        // that fails must leave the file exactly as it was.
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| err(e.into()))?;
        Ok(Writer {
            path: path.to_path_buf(),
            conn,
            num_classes: catalog.num_classes(),
            num_images: catalog.num_images(),
            layers: catalog
                .layers
                .iter()
                .map(|l| (l.name.clone(), l.dim))
                .collect(),
            piece: Vec::with_capacity(PIECE),
        })
    }

    fn configure(conn: &Connection, journal: Journal) -> Result<(), Problem> {
        conn.pragma_update(None, "journal_mode", journal.pragma())?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn num_images(&self) -> usize {
        self.num_images
    }

    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// The declared layers as (name, dim).
    pub fn layers(&self) -> &[(String, usize)] {
        &self.layers
    }

    fn err(&self, problem: impl Into<Problem>) -> StoreError {
        StoreError::new(&self.path, problem)
    }

    fn invalid(&self, message: String) -> StoreError {
        self.err(Problem::Invalid(message))
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [key, value],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Declares the classes, ids 0..K in the given order. Only once, before images.
    pub fn add_classes<S: AsRef<str>>(&mut self, names: &[S]) -> Result<()> {
        if self.num_classes > 0 {
            return Err(self.invalid("classes were already added".into()));
        }
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::new(&self.path, e))?;
        {
            let mut stmt = tx
                .prepare("INSERT INTO classes (id, name) VALUES (?1, ?2)")
                .map_err(|e| StoreError::new(&self.path, e))?;
            for (id, name) in names.iter().enumerate() {
                stmt.execute(params![id as i64, name.as_ref()])
                    .map_err(|e| StoreError::new(&self.path, e))?;
            }
        }
        tx.commit().map_err(|e| StoreError::new(&self.path, e))?;
        self.num_classes = names.len();
        Ok(())
    }

    /// Adds the evaluation images, ids 0..N in order, with optional names and one split.
    pub fn add_images(
        &mut self,
        labels: &[ClassId],
        names: Option<&[String]>,
        split: Option<&str>,
    ) -> Result<()> {
        if self.num_images > 0 {
            return Err(self.invalid("images were already added".into()));
        }
        if let Some((i, &l)) = labels
            .iter()
            .enumerate()
            .find(|&(_, &l)| l as usize >= self.num_classes)
        {
            return Err(self.err(Problem::LabelOutOfRange {
                image: i as i64,
                label: l as i64,
                classes: self.num_classes,
            }));
        }
        if let Some(names) = names.filter(|n| n.len() != labels.len()) {
            return Err(self.invalid(format!(
                "{} image names for {} images",
                names.len(),
                labels.len()
            )));
        }
        let path = self.path.clone();
        let e = |e: rusqlite::Error| StoreError::new(&path, e);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut stmt = tx
                .prepare("INSERT INTO images (id, label, name, split) VALUES (?1, ?2, ?3, ?4)")
                .map_err(e)?;
            for (i, &label) in labels.iter().enumerate() {
                let name = names.map(|n| n[i].as_str());
                stmt.execute(params![i as i64, label as i64, name, split])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        self.num_images = labels.len();
        Ok(())
    }

    /// Stores thumbnails for images `0..thumbs.len()`, in one transaction.
    pub fn add_thumbnails(&mut self, thumbs: &[Thumbnail]) -> Result<()> {
        if thumbs.len() > self.num_images {
            return Err(self.invalid(format!(
                "{} thumbnails for {} images",
                thumbs.len(),
                self.num_images
            )));
        }
        for (i, t) in thumbs.iter().enumerate() {
            if let Some(problem) = thumbnail_problem(i, t) {
                return Err(self.err(problem));
            }
        }
        let path = self.path.clone();
        let e = |e: rusqlite::Error| StoreError::new(&path, e);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR REPLACE INTO thumbnails (image, width, height, channels, pixels) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(e)?;
            for (i, t) in thumbs.iter().enumerate() {
                stmt.execute(params![
                    i as i64,
                    t.width as i64,
                    t.height as i64,
                    t.channels as i64,
                    &t.pixels
                ])
                .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Declares a layer. Layers of kind logits or probs must have one column per class.
    pub fn add_layer(&mut self, name: &str, dim: usize, kind: LayerKind) -> Result<()> {
        if dim == 0 {
            return Err(self.err(Problem::BadLayerDim {
                layer: name.into(),
                dim: 0,
            }));
        }
        if kind.is_class_scores() && dim != self.num_classes {
            return Err(self.err(Problem::ScoresNotPerClass {
                layer: name.into(),
                kind: kind.to_string(),
                dim,
                classes: self.num_classes,
            }));
        }
        if self.layers.iter().any(|(n, _)| n == name) {
            return Err(self.invalid(format!("layer '{name}' was already declared")));
        }
        self.conn
            .execute(
                "INSERT INTO layers (name, dim, kind) VALUES (?1, ?2, ?3)",
                params![name, dim as i64, kind.as_str()],
            )
            .map_err(|e| self.err(e))?;
        self.layers.push((name.to_string(), dim));
        Ok(())
    }

    /// Writes one checkpoint with its layers, all or nothing. Every array is validated
    /// (shape, finite values) before anything is written.
    pub fn add_step(
        &mut self,
        step: StepId,
        epoch: Option<f64>,
        wall_time: Option<f64>,
        layers: &[(&str, ArrayView2<f32>)],
    ) -> Result<()> {
        for (name, values) in layers {
            let Some((_, dim)) = self.layers.iter().find(|(n, _)| n == name) else {
                return Err(self.invalid(format!("step {step}: layer '{name}' was not declared")));
            };
            if values.dim() != (self.num_images, *dim) {
                return Err(self.invalid(format!(
                    "step {step}, layer '{name}': array is {}x{}, expected {}x{}",
                    values.nrows(),
                    values.ncols(),
                    self.num_images,
                    dim
                )));
            }
            // The readers' contract: finite and within blob::MAX_MAGNITUDE.
            if let Some(problem) = value_problems(step, name, values.view()).into_iter().next() {
                return Err(self.err(problem));
            }
        }
        let path = self.path.clone();
        let e = |e: rusqlite::Error| StoreError::new(&path, e);
        let tx = self.conn.transaction().map_err(e)?;
        tx.execute(
            "INSERT INTO steps (step, epoch, wall_time) VALUES (?1, ?2, ?3) \
             ON CONFLICT(step) DO UPDATE SET epoch = excluded.epoch, wall_time = excluded.wall_time",
            params![step, epoch, wall_time],
        )
        .map_err(e)?;
        for (name, values) in layers {
            write_activation(&tx, step, name, values.view(), &mut self.piece).map_err(e)?;
        }
        tx.commit().map_err(e)
    }

    /// Folds the WAL back into the main file, so a finished run is one self-contained file.
    pub fn finish(self) -> Result<()> {
        let path = self.path.clone();
        self.conn
            .pragma_update(None, "journal_mode", "DELETE")
            .map_err(|e| StoreError::new(&path, e))?;
        self.conn
            .close()
            .map_err(|(_, e)| StoreError::new(&path, e))
    }
}

/// Bytes of a step's BLOB encoded and written at a time.
const PIECE: usize = 1 << 20;

/// Writes one layer's values as the (step, layer) BLOB: the row is inserted with a zeroblob
/// of the right size, then filled piece by piece through incremental BLOB I/O. Binding the
/// whole encoded BLOB instead made SQLite copy it twice more (its bound copy and the
/// record), so a 524 MB layer peaked at 2.0 GB; this way the only large buffer is the
/// caller's array.
fn write_activation(
    tx: &rusqlite::Transaction<'_>,
    step: StepId,
    name: &str,
    values: ArrayView2<f32>,
    piece: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    let bytes = i64::try_from(values.len() * 4).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT OR REPLACE INTO activations (step, layer, data) VALUES (?1, ?2, zeroblob(?3))",
    )?
    .execute(params![step, name, bytes])?;
    let mut cell = tx.blob_open("main", "activations", "data", tx.last_insert_rowid(), false)?;
    let mut at = 0;
    blob::encode_pieces(values, PIECE, piece, |bytes| {
        cell.write_at(bytes, at)?;
        at += bytes.len();
        Ok(())
    })
}

/// What is wrong with a thumbnail about to be written, if anything: the same rules, in the
/// same checked arithmetic, as the reader applies.
fn thumbnail_problem(image: usize, t: &Thumbnail) -> Option<Problem> {
    let (width, height, channels) = (t.width as i64, t.height as i64, t.channels as i64);
    let image = image as i64;
    match super::thumbnails::thumbnail_bytes(width, height, channels) {
        None => Some(Problem::ThumbnailShape {
            image,
            width,
            height,
            channels,
        }),
        Some(expected) if expected != t.pixels.len() => Some(Problem::ThumbnailSize {
            image,
            found: t.pixels.len(),
            expected,
            width,
            height,
            channels,
        }),
        Some(_) => None,
    }
}
