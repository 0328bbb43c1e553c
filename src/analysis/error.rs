//! Why an analysis could not run on the data it was given.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("needs at least {needed} images, got {got}")]
    TooFewImages { needed: usize, got: usize },
    #[error("{0}")]
    BadParameter(String),
    #[error("numerical failure: {0}")]
    Numerical(String),
}
