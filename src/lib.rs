//! deepscope: see what an image classifier has learned, and how that changed during training.
//!
//! The library holds everything but argument parsing: the data model, the store (the only
//! code that touches SQLite), the analysis (pure functions over ndarray views) and the
//! terminal UI.

pub mod analysis;
pub mod cli;
pub mod idx;
pub mod ingest;
pub mod mapcache;
pub mod maps;
pub mod model;
pub mod store;
pub mod summary;
pub mod synth;
pub mod tui;
