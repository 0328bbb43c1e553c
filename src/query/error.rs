//! The one error type above the store, and the one mapping from errors to exit codes
//! (0 ok, 2 bad input, 1 internal) that every command and the viewer use.

use std::path::PathBuf;

use super::marks::MarksError;
use crate::analysis::AnalysisError;
use crate::model::{ImageId, LayerKind};
use crate::store::StoreError;

/// Why a query, a command or the viewer failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read, or holds something invalid.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file is fine, but what was asked of it is not there or not possible.
    #[error("{}: {problem}", db.display())]
    Input { db: PathBuf, problem: Invalid },
    /// An analysis refused its input (too few images, bad settings) or failed numerically.
    #[error("{}: {what}{}{source}", db.display(), if what.is_empty() { "" } else { " " })]
    Analysis {
        db: PathBuf,
        /// The method that failed (e.g. "t-SNE"), or "" when the message says enough.
        what: &'static str,
        source: AnalysisError,
    },
    /// An import failed; the importer names the file and the problem in its message.
    #[error("{0}")]
    Import(String),
    /// The user's marks file for the run could not be read or written.
    #[error(transparent)]
    Marks(#[from] MarksError),
    /// Settings of a synthetic run that cannot be made.
    #[error("{}: {message}", out.display())]
    Synth { out: PathBuf, message: String },
    /// `check` listed the problems itself: nothing more to print.
    #[error("the file has problems")]
    Reported,
    /// Whoever read our output stopped (`| head`): stop quietly, as Unix tools do.
    #[error("output closed")]
    OutputClosed,
    #[error("cannot write output: {0}")]
    Output(std::io::Error),
    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot print the image: {0}")]
    Picture(#[from] viuer::ViuError),
    #[error(
        "the viewer needs a terminal; in scripts use `deepscope info`, `similarity`, ... with --json"
    )]
    NotATerminal,
    #[error("terminal error: {0}")]
    Terminal(std::io::Error),
    #[error("the worker stopped")]
    WorkerStopped,
    /// A panic that could not be answered as one failed request (its message is already on
    /// stderr).
    #[error("{0}")]
    Panicked(String),
}

/// What was asked of a valid file that it cannot give.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Invalid {
    #[error("the database has no layers")]
    NoLayers,
    #[error("no step has layer '{0}'")]
    NoStepWithLayer(String),
    #[error("the run has no logits or probs layer to predict from")]
    NoPredictionLayer,
    #[error("no image {image}; images are 0..{}", count.saturating_sub(1))]
    NoImage { image: ImageId, count: usize },
    /// `classes` lists the classes, already shortened for a message.
    #[error("no class '{given}'; classes are {classes}")]
    NoClass { given: String, classes: String },
    #[error("layer '{layer}' holds {kind}, not class scores; use a logits or probs layer")]
    NotClassScores { layer: String, kind: LayerKind },
    #[error("layer '{0}' is not a logits or probs layer")]
    NotLogitsOrProbs(String),
    /// Fixed axes are principal axes: they belong to PCA.
    #[error("--axes-from applies to PCA maps only; t-SNE and UMAP have no axes to share")]
    AxesNeedPca,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The process's exit code: 0 when the reader of our output left, 1 for deepscope's own
    /// faults (numerical failures, output that cannot be written), 2 for bad input.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::OutputClosed => 0,
            Error::Analysis {
                source: AnalysisError::Numerical(_),
                ..
            }
            | Error::Output(_)
            | Error::Json(_)
            | Error::Picture(_)
            | Error::Terminal(_)
            | Error::WorkerStopped
            | Error::Panicked(_) => 1,
            Error::Store(_)
            | Error::Input { .. }
            | Error::Analysis { .. }
            | Error::Import(_)
            | Error::Marks(_)
            | Error::Synth { .. }
            | Error::Reported
            | Error::NotATerminal => 2,
        }
    }

    /// The line printed on stderr before exiting, if any: escaped, since messages quote
    /// names and paths from files.
    pub fn message(&self) -> Option<String> {
        let line = match self {
            Error::Reported | Error::OutputClosed => return None,
            e if e.exit_code() == 1 => format!("internal error: {e}"),
            e => e.to_string(),
        };
        Some(crate::text::escape(&line).into_owned())
    }

    /// An input problem of the database at `db`.
    pub fn input(db: impl Into<PathBuf>, problem: Invalid) -> Error {
        Error::Input {
            db: db.into(),
            problem,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Error::OutputClosed
        } else {
            Error::Output(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_readme() {
        let numerical = Error::Analysis {
            db: "r.sqlite".into(),
            what: "PCA",
            source: AnalysisError::Numerical("eigen".into()),
        };
        assert_eq!(numerical.exit_code(), 1);
        assert_eq!(
            numerical.message().as_deref(),
            Some("internal error: r.sqlite: PCA numerical failure: eigen")
        );
        let few = Error::Analysis {
            db: "r.sqlite".into(),
            what: "",
            source: AnalysisError::TooFewImages { needed: 3, got: 1 },
        };
        assert_eq!(few.exit_code(), 2);
        assert_eq!(few.to_string(), "r.sqlite: needs at least 3 images, got 1");
        let input = Error::input("r.sqlite", Invalid::NoImage { image: 9, count: 5 });
        assert_eq!(input.exit_code(), 2);
        assert_eq!(input.to_string(), "r.sqlite: no image 9; images are 0..4");
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(Error::from(pipe).exit_code(), 0);
        assert_eq!(Error::Reported.message(), None);
    }
}
