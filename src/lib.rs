//! deepscope: see what an image classifier has learned, and how that changed during training.
//!
//! The layers, each depending only on those above it in this list:
//! - [`model`]: plain data (catalog, layers, steps, thumbnails); [`text`]: the one escaping
//!   function for text from files; [`picture`]: image modes and scaling;
//! - [`store`]: the only code that touches SQLite; [`analysis`]: pure maths over ndarray
//!   views; [`ingest`] (with [`idx`]) and [`synth`]: getting runs in;
//! - [`query`]: the store and the analysis combined, what both front ends ask of a run, and
//!   the one error type with its exit code;
//! - [`cli`]: arguments and formatting, one module per subcommand; [`tui`]: the viewer.
//!   Neither imports the other: `main.rs` dispatches to one or the other.

// In the program a failure is an error, not a panic (clippy.toml allows unwrap in tests;
// the integration tests under tests/ are crates of their own and may use it).
#![deny(clippy::unwrap_used)]

pub mod analysis;
pub mod cli;
pub mod idx;
pub mod ingest;
pub mod model;
pub mod picture;
pub mod query;
pub mod store;
pub mod synth;
pub mod text;
pub mod tui;

pub use query::Error;
