//! Why an analysis could not run on the data it was given.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("needs at least {needed} images, got {got}")]
    TooFewImages { needed: usize, got: usize },
    #[error("{0}")]
    BadParameter(String),
    #[error("numerical failure: {0}")]
    Numerical(String),
    #[error("the activations contain a non-finite value (row {row})")]
    NonFinite { row: usize },
    #[error("the starting layout has {got_rows} x {got_cols} points, expected {want_rows} x 2")]
    LayoutShape {
        got_rows: usize,
        got_cols: usize,
        want_rows: usize,
    },
}
