//! The only code that touches SQLite: open and validate, read, write.

mod blob;
mod catalog;
mod cells;
mod check;
mod error;
mod incremental;
mod open;
mod reader;
mod thumbnails;
mod writer;

pub use blob::MAX_MAGNITUDE;
pub use check::{CheckReport, check};
pub use error::{APPLICATION_ID, Problem, Result, SCHEMA_VERSION, StoreError};
pub use reader::Store;
pub use writer::{Journal, Writer};

/// The schema of version 1, as the writer creates it.
pub const SCHEMA_SQL: &str = include_str!("schema.sql");
