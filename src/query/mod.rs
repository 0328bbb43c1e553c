//! What the command line and the viewer ask of a run: the store and the analysis combined,
//! with no interface. Both front ends call these functions, so a number printed by
//! `deepscope similarity --json` is the number the viewer draws.
//!
//! - [`select`]: which step, layer, image and class a request is about;
//! - [`scores`]: predictions, mistakes and accuracy at a step, and over the run;
//! - [`similarity`]: class-similarity matrices and their hierarchical class order;
//! - [`classes`]: the per-class table (precision, recall, most confused with) at a step;
//! - [`history`]: one image's predictions over training;
//! - [`neighbours`]: nearest images (of a class) and k-means clusters;
//! - [`maps`] and [`mapcache`]: 2-D maps by PCA, t-SNE or UMAP, through the disk cache;
//! - [`suspects`]: the suspected-label-error queue and its CSV; [`marks`]: the user's
//!   verdicts on labels, kept outside the run;
//! - [`error`]: the one error type, with its exit code.

pub mod classes;
pub mod error;
pub mod history;
pub mod mapcache;
pub mod maps;
pub mod marks;
pub mod neighbours;
pub mod scores;
pub mod select;
pub mod similarity;
pub mod suspects;

pub use error::{Error, Invalid, Result};
