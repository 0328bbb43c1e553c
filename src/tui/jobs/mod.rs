//! Heavy work off the UI thread: the requests, the results and the keys that match them;
//! `compute` (a request in, a result out, through the query layer) is in `compute.rs`.

mod compute;
pub use compute::compute;

use std::sync::Arc;

use ndarray::Array2;

use crate::analysis::Method;
use crate::analysis::cluster::Clusters;
use crate::analysis::history::ImageHistory;
use crate::analysis::neighbours::Neighbour;
use crate::analysis::nonlinear::Stage;
use crate::analysis::ordering::{ClassOrder, Linkage};
use crate::analysis::project::PcaBasis;
use crate::analysis::similarity::SimilaritySource;
use crate::model::{Catalog, ClassId, ImageId, StepId, Thumbnail};
use crate::query::classes::ClassTable;
use crate::query::marks::{MarkStore, Marks};
use crate::query::scores::StepScores;
use crate::query::similarity::Matrices;
use crate::query::suspects::SuspectQueue;

/// Work the UI asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Predictions, mistakes and similarity matrices at a step.
    Scores {
        step: StepId,
        features: Option<String>,
    },
    /// The 2-D map of a layer at a step, turned to line up with `reference` (another step's
    /// map of the same method) when given: PCA by a similarity transform, t-SNE and UMAP
    /// (always started afresh) by a rotation or reflection, which keeps their KL.
    Projection {
        step: StepId,
        layer: String,
        method: Method,
        reference: Option<(StepId, Arc<Array2<f32>>)>,
        /// PCA: draw on these fixed axes (fitted at the given step) instead of the step's
        /// own; `reference` is then not used.
        axes: Option<(StepId, Arc<PcaBasis>)>,
        /// Recompute rather than take the map cache's copy (the app sends no `reference`
        /// with it).
        fresh: bool,
    },
    /// The principal axes of a layer at a step, to draw every step's PCA map on.
    Axes {
        step: StepId,
        layer: String,
    },
    Clusters {
        step: StepId,
        layer: String,
        k: usize,
    },
    /// Nearest images of `image` of each of the given classes.
    Neighbours {
        step: StepId,
        layer: String,
        image: ImageId,
        classes: Vec<ClassId>,
        k: usize,
    },
    History {
        image: ImageId,
    },
    Thumbnails {
        images: Vec<ImageId>,
    },
    /// Re-read the list of steps, and the catalog if they name what it lacks (a live run).
    Refresh,
    /// Accuracy at every step, for the header's sparkline.
    Accuracies,
    /// The user's marks of the run, saved in `dir` (outside the run): the UI thread does no
    /// file I/O of its own.
    SaveMarks {
        dir: MarkStore,
        marks: Marks,
    },
    Order {
        matrix: Arc<Array2<f64>>,
        linkage: Linkage,
        key: OrderKey,
    },
    /// The suspected-label-error queue as of a step (reads every step up to it).
    Suspects {
        step: StepId,
    },
    /// The per-class table of a step and its changes since the previous step (reads the
    /// prediction layer at both, or only at the previous step when the step's confusion
    /// counts come along in `known`, as the viewer already holds them).
    Classes {
        step: StepId,
        known: Option<Arc<Matrices>>,
    },
}

/// Identifies a piece of work the app waits for: the key of `App::pending` and
/// `App::failed`, and of the map progress reports. Built only by `Request::keys` and
/// `Response::keys`, so a request and its answer cannot disagree about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobKey {
    Scores(StepId),
    Projection(StepId, String, Method),
    Axes(StepId, String),
    Clusters(StepId, String, usize),
    /// Nearest images of an image of each of the classes, in the order asked.
    Neighbours(StepId, String, ImageId, Vec<ClassId>),
    History(ImageId),
    /// One image's thumbnail (a `Thumbnails` request carries several).
    Thumbnail(ImageId),
    Refresh,
    Accuracies,
    SaveMarks,
    Order(OrderKey),
    Suspects(StepId),
    Classes(StepId),
}

impl JobKey {
    /// What kind of work it is, for the status line ("computing scores, projection…").
    pub fn kind(&self) -> &'static str {
        match self {
            JobKey::Scores(_) => "scores",
            JobKey::Projection(..) => "projection",
            JobKey::Axes(..) => "axes",
            JobKey::Clusters(..) => "clusters",
            JobKey::Neighbours(..) => "neighbours",
            JobKey::History(_) => "history",
            JobKey::Thumbnail(_) => "thumb",
            JobKey::Refresh => "refresh",
            JobKey::Accuracies => "accuracies",
            JobKey::SaveMarks => "marks",
            JobKey::Order(_) => "order",
            JobKey::Suspects(_) => "suspects",
            JobKey::Classes(_) => "class table",
        }
    }
}

/// Identifies which matrix an ordering was computed for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderKey {
    pub step: StepId,
    pub source: SimilaritySource,
    pub linkage: Linkage,
}

/// What the worker sends back. Every request is answered exactly once: by its result,
/// `Failed` or `Superseded` (`MapProgress` reports come before the answer).
#[derive(Debug, Clone)]
pub enum Response {
    Scores {
        step: StepId,
        scores: Arc<StepScores>,
        similarity: Arc<Matrices>,
    },
    Projection {
        step: StepId,
        layer: String,
        method: Method,
        points: Arc<Array2<f32>>,
        /// What is said about the map: PCA's explained variance, t-SNE's KL divergence.
        summary: MapSummary,
        /// PCA: the step whose axes the map is drawn on (`None`: the step's own).
        axes: Option<StepId>,
    },
    Axes {
        step: StepId,
        layer: String,
        basis: Arc<PcaBasis>,
    },
    /// A t-SNE or UMAP run reached a new stage (they take seconds).
    MapProgress {
        key: JobKey,
        stage: Stage,
    },
    Clusters {
        step: StepId,
        layer: String,
        k: usize,
        clusters: Arc<Clusters>,
    },
    Neighbours {
        step: StepId,
        layer: String,
        image: ImageId,
        lists: Vec<(ClassId, Vec<Neighbour>)>,
    },
    History {
        image: ImageId,
        history: Option<ImageHistory>,
    },
    Thumbnails(Vec<(ImageId, Option<Thumbnail>)>),
    /// The catalog re-read (new steps, and the layers and classes they name); `None` when
    /// nothing changed.
    Catalog(Option<Box<Catalog>>),
    Accuracies(Vec<(StepId, f64)>),
    MarksSaved,
    Order {
        key: OrderKey,
        order: Arc<ClassOrder>,
    },
    Suspects {
        step: StepId,
        queue: Arc<SuspectQueue>,
    },
    Classes {
        step: StepId,
        table: Arc<ClassTable>,
    },
    Failed {
        keys: Vec<JobKey>,
        message: String,
    },
    /// Dropped unrun for a newer request of its kind: the app asks again if it still
    /// wants it.
    Superseded {
        keys: Vec<JobKey>,
    },
}

impl Request {
    /// The work a request stands for (one key per image for thumbnails), so that the UI
    /// never sends the same one twice and knows what each answer settles.
    pub fn keys(&self) -> Vec<JobKey> {
        match self {
            Request::Scores { step, .. } => vec![JobKey::Scores(*step)],
            Request::Projection {
                step,
                layer,
                method,
                ..
            } => vec![projection_key(*step, layer, *method)],
            Request::Axes { step, layer } => vec![JobKey::Axes(*step, layer.clone())],
            Request::Clusters { step, layer, k } => {
                vec![JobKey::Clusters(*step, layer.clone(), *k)]
            }
            Request::Neighbours {
                step,
                layer,
                image,
                classes,
                ..
            } => vec![JobKey::Neighbours(
                *step,
                layer.clone(),
                *image,
                classes.clone(),
            )],
            Request::History { image } => vec![JobKey::History(*image)],
            Request::Thumbnails { images } => {
                images.iter().map(|&i| JobKey::Thumbnail(i)).collect()
            }
            Request::Refresh => vec![JobKey::Refresh],
            Request::Accuracies => vec![JobKey::Accuracies],
            Request::SaveMarks { .. } => vec![JobKey::SaveMarks],
            Request::Order { key, .. } => vec![JobKey::Order(key.clone())],
            Request::Suspects { step } => vec![JobKey::Suspects(*step)],
            Request::Classes { step, .. } => vec![JobKey::Classes(*step)],
        }
    }
}

impl Response {
    /// The work this answer settles: the keys of the request it answers (none for a
    /// progress report, which settles nothing).
    pub fn keys(&self) -> Vec<JobKey> {
        match self {
            Response::Scores { step, .. } => vec![JobKey::Scores(*step)],
            Response::Projection {
                step,
                layer,
                method,
                ..
            } => vec![projection_key(*step, layer, *method)],
            Response::Axes { step, layer, .. } => vec![JobKey::Axes(*step, layer.clone())],
            Response::MapProgress { .. } => vec![],
            Response::Clusters { step, layer, k, .. } => {
                vec![JobKey::Clusters(*step, layer.clone(), *k)]
            }
            Response::Neighbours {
                step,
                layer,
                image,
                lists,
            } => vec![JobKey::Neighbours(
                *step,
                layer.clone(),
                *image,
                lists.iter().map(|(c, _)| *c).collect(),
            )],
            Response::History { image, .. } => vec![JobKey::History(*image)],
            Response::Thumbnails(list) => list.iter().map(|(i, _)| JobKey::Thumbnail(*i)).collect(),
            Response::Catalog(_) => vec![JobKey::Refresh],
            Response::Accuracies(_) => vec![JobKey::Accuracies],
            Response::MarksSaved => vec![JobKey::SaveMarks],
            Response::Order { key, .. } => vec![JobKey::Order(key.clone())],
            Response::Suspects { step, .. } => vec![JobKey::Suspects(*step)],
            Response::Classes { step, .. } => vec![JobKey::Classes(*step)],
            Response::Failed { keys, .. } | Response::Superseded { keys } => keys.clone(),
        }
    }
}

/// The key of a projection (the views look up its progress by it).
pub fn projection_key(step: StepId, layer: &str, method: Method) -> JobKey {
    JobKey::Projection(step, layer.to_string(), method)
}

/// What is reported with a map.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MapSummary {
    /// PCA: the fraction of the variance on each axis.
    pub explained: Option<[f64; 2]>,
    /// t-SNE: KL divergence of the points shown.
    pub kl: Option<f64>,
    /// t-SNE: the perplexity used, and whether it had to be lowered for a small layer.
    pub perplexity: Option<(f64, bool)>,
    /// Whether the map came from the disk cache.
    pub cached: bool,
}
