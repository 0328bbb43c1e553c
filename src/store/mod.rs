//! The only code that touches SQLite: open and validate, read, write.

mod blob;
mod catalog;
mod check;
mod error;
mod reader;
mod writer;

pub use check::{CheckReport, check};
pub use error::{APPLICATION_ID, Problem, Result, SCHEMA_VERSION, StoreError};
pub use reader::Store;
pub use writer::{Journal, Writer};

/// The schema of version 1, as the writer creates it.
pub const SCHEMA_SQL: &str = include_str!("schema.sql");
