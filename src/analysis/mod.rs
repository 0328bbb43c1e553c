//! Pure analysis over activation matrices: no I/O, no terminal, no threads of its own
//! beyond the data-parallel loops of the kernels.

pub mod align;
pub mod blocks;
pub mod class_stats;
pub mod cluster;
mod cluster_lloyd;
pub mod error;
pub mod history;
pub mod kernels;
pub mod method;
pub mod misclassified;
pub mod neighbours;
pub mod nonlinear;
pub mod ordering;
pub mod predict;
pub mod project;
mod randomized_pca;
pub mod similarity;
pub mod suspects;

pub use error::AnalysisError;
pub use method::Method;
