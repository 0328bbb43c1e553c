//! Heavy work off the UI thread: the requests, the results, and `compute` (a request in, a
//! result out, through the query layer) that the worker threads run.

use std::sync::Arc;

use ndarray::Array2;

use crate::analysis::Method;
use crate::analysis::align::align_rigid;
use crate::analysis::cluster::Clusters;
use crate::analysis::history::ImageHistory;
use crate::analysis::neighbours::{Metric, Neighbour};
use crate::analysis::nonlinear::Stage;
use crate::analysis::ordering::{ClassOrder, Linkage, order_classes};
use crate::analysis::project::PcaBasis;
use crate::analysis::similarity::SimilaritySource;
use crate::model::{Catalog, ClassId, ImageId, StepId, Thumbnail};
use crate::query::mapcache::MapCache;
use crate::query::maps::{MapRequest, MapSettings, layer_map, pca_basis_at};
use crate::query::neighbours::{clusters, nearest_of_class};
use crate::query::scores::{StepScores, accuracy_by_step, step_scores};
use crate::query::select::At;
use crate::query::similarity::{Matrices, all_matrices};
use crate::query::suspects::{SuspectOptions, SuspectQueue, suspects};
use crate::query::{Error, history};
use crate::store::Store;

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
    Order {
        matrix: Arc<Array2<f64>>,
        linkage: Linkage,
        key: OrderKey,
    },
    /// The suspected-label-error queue as of a step (reads every step up to it).
    Suspects {
        step: StepId,
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
    Order(OrderKey),
    Suspects(StepId),
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
            JobKey::Order(_) => "order",
            JobKey::Suspects(_) => "suspects",
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
    Order {
        key: OrderKey,
        order: Arc<ClassOrder>,
    },
    Suspects {
        step: StepId,
        queue: Arc<SuspectQueue>,
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
            Request::Order { key, .. } => vec![JobKey::Order(key.clone())],
            Request::Suspects { step } => vec![JobKey::Suspects(*step)],
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
            Response::Order { key, .. } => vec![JobKey::Order(key.clone())],
            Response::Suspects { step, .. } => vec![JobKey::Suspects(*step)],
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

/// Computes one request against the store: reads the database (and the map cache, when
/// given; a computed t-SNE/UMAP map is written to it); `stage` hears the stages of a t-SNE
/// or UMAP run.
pub fn compute(
    store: &mut Store,
    request: Request,
    cache: Option<&MapCache>,
    stage: &mut dyn FnMut(Stage),
) -> Response {
    let keys = request.keys();
    // Only the quick thread's store is refreshed on the timer: another thread's store
    // learns here of the steps (and layers) logged since it was opened.
    let behind = super::live::store_behind(store, &request);
    let caught_up = if behind {
        store.refresh_steps().map(|_| ())
    } else {
        Ok(())
    };
    let result = caught_up.map_err(Error::from);
    match result.and_then(|()| run(store, request, cache, stage)) {
        Ok(r) => r,
        Err(e) => Response::Failed {
            keys,
            message: e.to_string(),
        },
    }
}

fn run(
    store: &mut Store,
    request: Request,
    cache: Option<&MapCache>,
    stage: &mut dyn FnMut(Stage),
) -> Result<Response, Error> {
    Ok(match request {
        Request::Scores { step, features } => Response::Scores {
            step,
            scores: Arc::new(step_scores(store, step)?),
            similarity: Arc::new(all_matrices(store, step, features.as_deref())?),
        },
        Request::Projection {
            step,
            layer,
            method,
            reference,
            axes,
            fresh,
        } => {
            let on = MapOn {
                reference,
                axes: axes.clone(),
                fresh,
            };
            let (points, summary) = projection(store, step, &layer, method, on, cache, stage)?;
            Response::Projection {
                step,
                layer,
                method,
                points: Arc::new(points),
                summary,
                axes: axes.map(|(s, _)| s),
            }
        }
        Request::Axes { step, layer } => Response::Axes {
            basis: Arc::new(pca_basis_at(store, step, &layer)?),
            step,
            layer,
        },
        Request::Clusters { step, layer, k } => {
            let at = at(store, step, &layer)?;
            Response::Clusters {
                clusters: Arc::new(clusters(store, &at, k, 0)?),
                step,
                layer,
                k,
            }
        }
        Request::Neighbours {
            step,
            layer,
            image,
            classes,
            k,
        } => Response::Neighbours {
            lists: neighbour_lists(store, step, &layer, image, classes, k)?,
            step,
            layer,
            image,
        },
        Request::History { image } => Response::History {
            image,
            history: history::load_history(store, image)?,
        },
        Request::Thumbnails { images } => Response::Thumbnails(thumbnails(store, images)?),
        Request::Refresh => {
            let changed = store.refresh_steps()?;
            Response::Catalog(changed.then(|| Box::new(store.catalog().clone())))
        }
        Request::Accuracies => Response::Accuracies(accuracy_by_step(store)?),
        Request::Order {
            matrix,
            linkage,
            key,
        } => Response::Order {
            key,
            order: Arc::new(order_classes(matrix.view(), linkage)),
        },
        Request::Suspects { step } => Response::Suspects {
            step,
            queue: Arc::new(suspect_queue(store, step)?),
        },
    })
}

/// The thumbnail of each image (None where the run has none).
fn thumbnails(
    store: &Store,
    images: Vec<ImageId>,
) -> Result<Vec<(ImageId, Option<Thumbnail>)>, Error> {
    images
        .into_iter()
        .map(|i| Ok((i, store.thumbnail(i)?)))
        .collect()
}

/// The viewer's queue of suspected label errors as of `step`: the default method.
fn suspect_queue(store: &Store, step: StepId) -> Result<SuspectQueue, Error> {
    let options = SuspectOptions {
        step: Some(step),
        ..SuspectOptions::default()
    };
    suspects(store, &options)
}

/// The `k` images of each class nearest to `image` in the layer at the step.
fn neighbour_lists(
    store: &Store,
    step: StepId,
    layer: &str,
    image: ImageId,
    classes: Vec<ClassId>,
    k: usize,
) -> Result<Vec<(ClassId, Vec<Neighbour>)>, Error> {
    let values = store.load(step, layer)?;
    let labels = &store.catalog().labels;
    Ok(classes
        .into_iter()
        .map(|class| {
            let found =
                nearest_of_class(values.view(), labels, image, k, Metric::Cosine, Some(class));
            (class, found)
        })
        .collect())
}

/// A layer at a step, as the app names them.
fn at(store: &Store, step: StepId, layer: &str) -> Result<At, Error> {
    Ok(At {
        step,
        layer: store.layer(layer)?.clone(),
    })
}

/// The map of a layer at a step with the default settings, and what is said about it.
#[allow(clippy::too_many_arguments)]
/// What a map starts from or is drawn on (see `Request::Projection`).
struct MapOn {
    reference: Option<(StepId, Arc<Array2<f32>>)>,
    axes: Option<(StepId, Arc<PcaBasis>)>,
    fresh: bool,
}

fn projection(
    store: &Store,
    step: StepId,
    layer: &str,
    method: Method,
    on: MapOn,
    cache: Option<&MapCache>,
    stage: &mut dyn FnMut(Stage),
) -> Result<(Array2<f32>, MapSummary), Error> {
    let settings = MapSettings::default();
    let reference = on.reference.as_ref().map(|(s, p)| (*s, p.view()));
    // A t-SNE or UMAP map started from another step's layout keeps structure of that step
    // (step 0 started from the trained network's map showed its clusters: KL 1.93 against
    // 1.62 fresh). The viewer's maps start afresh, so each step's map is the same whatever
    // was looked at before, and is then only turned to line up with the neighbour's.
    let request = MapRequest {
        step,
        layer,
        method,
        settings: &settings,
        start: reference.filter(|_| method == Method::Pca),
        basis: on.axes.as_ref().map(|(s, b)| (*s, b.as_ref())),
        fresh: on.fresh,
    };
    let mut map = layer_map(store, &request, cache, stage)?;
    if let Some((_, reference)) = reference
        && method.is_nonlinear()
    {
        align_rigid(&mut map.points, reference);
    }
    let summary = MapSummary {
        explained: map.explained,
        kl: map.kl,
        perplexity: map.perplexity_used.map(|p| (p, p < settings.perplexity)),
        cached: map.from_cache,
    };
    Ok((map.points, summary))
}
