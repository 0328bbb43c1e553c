//! What can be wrong with a stats database, as one line a user can act on.

use std::fmt;
use std::path::{Path, PathBuf};

use super::blob::MAX_MAGNITUDE;
use crate::model::StepId;

/// The `application_id` of a deepscope database: the bytes 'DPSC'.
pub const APPLICATION_ID: i32 = 0x4450_5343;
/// The newest schema version this build reads and writes.
pub const SCHEMA_VERSION: i32 = 1;

/// One thing wrong with a database (or with a request against it).
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("no such file")]
    NotFound,
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("not an SQLite database")]
    NotSqlite,
    #[error(
        "an SQLite database but not a deepscope stats database (application_id is {found}, expected {APPLICATION_ID})"
    )]
    NotDeepscope { found: i32 },
    #[error(
        "an SQLite database in WAL mode without deepscope's tables: its data is probably in \
         its -wal file ({wal}), which was not copied with it"
    )]
    MissingWal { wal: String },
    #[error(
        "its newest data is in {wal}, and reading that needs {shm}, which this directory does \
         not allow creating: copy the file together with its -wal to a writable directory"
    )]
    WalUnreadable { wal: String, shm: String },
    /// `writer` is the version the file's meta says wrote it (the logger records it), so that
    /// the user learns which deepscope to install rather than only that theirs is too old.
    #[error(
        "schema version {found} is newer than this deepscope understands ({SCHEMA_VERSION}){}; upgrade deepscope",
        written_by(writer.as_deref())
    )]
    NewerSchema { found: i32, writer: Option<String> },
    #[error("schema version {found} is not a valid version (expected {SCHEMA_VERSION})")]
    BadSchemaVersion { found: i32 },
    #[error("table '{0}' is missing")]
    MissingTable(&'static str),
    #[error(
        "{table} ids are not dense: expected 0..{count}, but id {found} is at position {position}"
    )]
    IdsNotDense {
        table: &'static str,
        count: usize,
        position: usize,
        found: i64,
    },
    #[error("the database has no classes")]
    NoClasses,
    #[error("the database has no images")]
    NoImages,
    #[error("image {image} has label {label}, outside the {classes} classes")]
    LabelOutOfRange {
        image: i64,
        label: i64,
        classes: usize,
    },
    #[error("layer '{layer}' has invalid dim {dim} (must be positive)")]
    BadLayerDim { layer: String, dim: i64 },
    #[error("layer '{layer}' has unknown kind '{kind}' (expected features, logits or probs)")]
    BadLayerKind { layer: String, kind: String },
    #[error(
        "layer '{layer}' is of kind {kind} but has dim {dim}, not one column per class ({classes})"
    )]
    ScoresNotPerClass {
        layer: String,
        kind: String,
        dim: usize,
        classes: usize,
    },
    #[error("activations at step {step} name layer '{layer}', which is not in the layers table")]
    UndeclaredLayer { step: StepId, layer: String },
    #[error("activations name step {step}, which is not in the steps table")]
    UndeclaredStep { step: StepId },
    #[error(
        "step {step}, layer '{layer}': BLOB is {found} bytes, expected {expected} ({images} images x {dim} dims x 4 bytes)"
    )]
    BlobLength {
        step: StepId,
        layer: String,
        found: usize,
        expected: usize,
        images: usize,
        dim: usize,
    },
    #[error(
        "step {step}, layer '{layer}': {count} NaN or infinite values (first in image {first_image})"
    )]
    NonFinite {
        step: StepId,
        layer: String,
        count: usize,
        first_image: usize,
    },
    #[error(
        "step {step}, layer '{layer}': {count} {} beyond ±{MAX_MAGNITUDE:e}, too large for \
         float32 analysis (first in image {first_image})",
        if *count == 1 { "value" } else { "values" }
    )]
    TooLarge {
        step: StepId,
        layer: String,
        count: usize,
        first_image: usize,
    },
    #[error(
        "layer '{layer}' has dim {dim}: {images} images x {dim} dims x 4 bytes is more than an \
         SQLite BLOB can hold"
    )]
    LayerTooLarge {
        layer: String,
        dim: usize,
        images: usize,
    },
    #[error(
        "table {table}, row {row}: {column} is not valid UTF-8 (shown with U+FFFD in its place)"
    )]
    BadText {
        table: &'static str,
        row: i64,
        column: &'static str,
    },
    #[error("table {table}, row {row}: {column} is not {expected}")]
    BadValue {
        table: &'static str,
        row: i64,
        column: &'static str,
        expected: &'static str,
    },
    #[error(
        "thumbnail of image {image} has {found} bytes, expected {expected} ({width}x{height}x{channels})"
    )]
    ThumbnailSize {
        image: i64,
        found: usize,
        expected: usize,
        width: i64,
        height: i64,
        channels: i64,
    },
    #[error("thumbnail of image {image} has an invalid shape {width}x{height}x{channels}")]
    ThumbnailShape {
        image: i64,
        width: i64,
        height: i64,
        channels: i64,
    },
    #[error("thumbnail names image {image}, which is not in the images table")]
    ThumbnailOrphan { image: i64 },
    #[error("no step {step}; steps are {available}")]
    UnknownStep { step: StepId, available: String },
    #[error("no layer '{layer}'; layers are {available}")]
    UnknownLayer { layer: String, available: String },
    #[error("step {step} has no layer '{layer}'; it has {available}")]
    LayerNotAtStep {
        step: StepId,
        layer: String,
        available: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("SQLite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl Problem {
    /// Whether a reader must refuse the file for this problem. Text that is not valid UTF-8
    /// is read lossily and shown escaped, so only `check` reports it.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Problem::BadText { .. })
    }
}

/// A problem together with the file it was found in. Renders as `FILE: problem`.
#[derive(Debug)]
pub struct StoreError {
    pub path: PathBuf,
    pub problem: Problem,
}

impl StoreError {
    pub fn new(path: &Path, problem: impl Into<Problem>) -> Self {
        StoreError {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.problem)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// An error for the first of several problems, pointing at `deepscope check` for the rest.
    pub fn with_more(path: &Path, first: Problem, more: usize) -> Self {
        if more == 0 {
            return StoreError::new(path, first);
        }
        let message = format!(
            "{first} (and {more} more problem{}: run `deepscope check` to list them)",
            if more == 1 { "" } else { "s" }
        );
        StoreError::new(path, Problem::Invalid(message))
    }
}

/// The clause naming the writer of a file too new to read, and this reader's version.
fn written_by(writer: Option<&str>) -> String {
    match writer {
        Some(w) => format!(
            ": it was written by deepscope {w}, this is deepscope {}",
            env!("CARGO_PKG_VERSION")
        ),
        None => String::new(),
    }
}
