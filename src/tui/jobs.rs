//! Heavy work off the UI thread: the requests, the results, and `compute`, the pure part (a
//! request in, a result out) that the worker threads run.

use std::sync::Arc;

use ndarray::Array2;

use crate::analysis::align::align_to;
use crate::analysis::cluster::{Clusters, kmeans};
use crate::analysis::history::ImageHistory;
use crate::analysis::misclassified::{Misclassified, misclassified};
use crate::analysis::neighbours::{Metric, Neighbour, nearest};
use crate::analysis::nonlinear::Stage;
use crate::analysis::ordering::{ClassOrder, Linkage, order_classes};
use crate::analysis::predict::{Prediction, predict, probabilities};
use crate::analysis::project::pca_2d;
use crate::analysis::similarity::{centroid_cosine, confusion_matrix, logit_correlation};
use crate::mapcache::MapCache;
use crate::maps::{MapRequest, MapSettings, Method, layer_map};
use crate::model::{ClassId, ImageId, Step, StepId, Thumbnail};
use crate::store::Store;

/// The class-similarity matrices and orders of one step.
#[derive(Debug, Clone)]
pub struct Similarity {
    /// Logit correlation, negatives clipped (K x K, class-id order).
    pub correlation: Array2<f64>,
    pub confusion: Array2<u32>,
    /// Cosine similarity of class means of the features layer, when it was logged.
    pub centroids: Option<Array2<f64>>,
}

/// Predictions and mistakes of one step.
#[derive(Debug, Clone)]
pub struct StepScores {
    pub predictions: Vec<Prediction>,
    /// Class probabilities, N x K.
    pub probabilities: Array2<f32>,
    pub misclassified: Vec<Misclassified>,
    pub accuracy: f64,
}

/// Work the UI asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Predictions, mistakes and similarity matrices at a step.
    Scores {
        step: StepId,
        features: Option<String>,
    },
    /// The 2-D map of a layer at a step. PCA is aligned to `reference` (another step's map
    /// of the same method) when given; t-SNE and UMAP start from it and are aligned to it.
    Projection {
        step: StepId,
        layer: String,
        method: Method,
        reference: Option<(StepId, Arc<Array2<f32>>)>,
        /// Recompute rather than take the map cache's copy (the app sends no `reference`
        /// with it, so the map also starts afresh).
        fresh: bool,
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
    /// Re-read the list of steps (a run still training).
    Refresh,
    /// Accuracy at every step, for the header's sparkline.
    Accuracies,
    Order {
        matrix: Arc<Array2<f64>>,
        linkage: Linkage,
        key: OrderKey,
    },
}

/// Identifies which matrix an ordering was computed for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderKey {
    pub step: StepId,
    pub source: u8,
    pub linkage: Linkage,
}

/// What the worker sends back.
#[derive(Debug, Clone)]
pub enum Response {
    Scores {
        step: StepId,
        scores: Arc<StepScores>,
        similarity: Arc<Similarity>,
    },
    Projection {
        step: StepId,
        layer: String,
        method: Method,
        points: Arc<Array2<f32>>,
        /// What is said about the map: PCA's explained variance, t-SNE's KL divergence.
        summary: MapSummary,
    },
    /// A t-SNE or UMAP run reached a new stage (they take seconds).
    MapProgress {
        key: String,
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
    Steps(Vec<Step>),
    Accuracies(Vec<(StepId, f64)>),
    Order {
        key: OrderKey,
        order: Arc<ClassOrder>,
    },
    Failed {
        key: String,
        message: String,
    },
}

impl Request {
    /// Identifies a request, so that the UI never sends the same one twice.
    pub fn key(&self) -> String {
        match self {
            Request::Scores { step, .. } => format!("scores {step}"),
            Request::Projection {
                step,
                layer,
                method,
                ..
            } => projection_key(*step, layer, *method),
            Request::Clusters { step, layer, k } => format!("clusters {step} {layer} {k}"),
            Request::Neighbours {
                step, layer, image, ..
            } => format!("neighbours {step} {layer} {image}"),
            Request::History { image } => format!("history {image}"),
            Request::Thumbnails { images } => format!("thumbs {images:?}"),
            Request::Refresh => "refresh".into(),
            Request::Accuracies => "accuracies".into(),
            Request::Order { key, .. } => format!("order {key:?}"),
        }
    }
}

/// The pending-request key of a projection.
pub fn projection_key(step: StepId, layer: &str, method: Method) -> String {
    format!("projection {step} {layer} {}", method.name())
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

/// Computes one request against the store. Pure apart from reading the database (and the
/// map cache, when given); `stage` hears the stages of a t-SNE or UMAP run.
pub fn compute(
    store: &mut Store,
    request: Request,
    cache: Option<&MapCache>,
    stage: &mut dyn FnMut(Stage),
) -> Response {
    let key = request.key();
    match run(store, request, cache, stage) {
        Ok(r) => r,
        Err(message) => Response::Failed { key, message },
    }
}

fn run(
    store: &mut Store,
    request: Request,
    cache: Option<&MapCache>,
    stage: &mut dyn FnMut(Stage),
) -> Result<Response, String> {
    let err = |e: crate::store::StoreError| e.to_string();
    match request {
        Request::Scores { step, features } => {
            let catalog = store.catalog();
            let layer = catalog
                .prediction_layer()
                .ok_or("the run has no logits or probs layer")?
                .clone();
            let scores = store.load(step, &layer.name).map_err(err)?;
            let labels = &catalog.labels;
            let predictions = predict(scores.view(), layer.kind);
            let mut probs = Array2::zeros(scores.dim());
            for (i, row) in scores.rows().into_iter().enumerate() {
                probs
                    .row_mut(i)
                    .assign(&ndarray::Array1::from(probabilities(row, layer.kind)));
            }
            let k = catalog.num_classes();
            let predicted: Vec<ClassId> = predictions.iter().map(|p| p.class).collect();
            let centroids = match features {
                Some(f) if catalog.step(step).is_some_and(|s| s.has_layer(&f)) => Some(
                    centroid_cosine(store.load(step, &f).map_err(err)?.view(), labels, k),
                ),
                _ => None,
            };
            let similarity = Similarity {
                correlation: logit_correlation(scores.view()),
                confusion: confusion_matrix(labels, &predicted, k),
                centroids,
            };
            let wrong = misclassified(scores.view(), layer.kind, labels);
            let accuracy = crate::analysis::predict::accuracy(&predictions, labels);
            let scores = StepScores {
                predictions,
                probabilities: probs,
                misclassified: wrong,
                accuracy,
            };
            Ok(Response::Scores {
                step,
                scores: Arc::new(scores),
                similarity: Arc::new(similarity),
            })
        }
        Request::Projection {
            step,
            layer,
            method,
            reference,
            fresh,
        } => {
            let (points, summary) = match method.nonlinear() {
                None => {
                    let values = store.load(step, &layer).map_err(err)?;
                    let mut p = pca_2d(values.view()).map_err(|e| e.to_string())?;
                    if let Some((_, r)) = reference {
                        align_to(&mut p.points, r.view());
                    }
                    let summary = MapSummary {
                        explained: p.explained_variance_ratio,
                        ..MapSummary::default()
                    };
                    (p.points, summary)
                }
                Some(nonlinear) => {
                    let settings = MapSettings::default();
                    let request = MapRequest {
                        step,
                        layer: &layer,
                        method: nonlinear,
                        settings: &settings,
                        start: reference.as_ref().map(|(s, p)| (*s, p.view())),
                        fresh,
                    };
                    let outcome = layer_map(store, &request, cache, stage)
                        .map_err(|e| format!("{} of {layer}: {e}", nonlinear.name()))?;
                    let summary = MapSummary {
                        kl: outcome.map.kl,
                        perplexity: outcome
                            .map
                            .perplexity_used
                            .map(|p| (p, p < settings.perplexity)),
                        cached: outcome.from_cache,
                        ..MapSummary::default()
                    };
                    (outcome.map.points, summary)
                }
            };
            Ok(Response::Projection {
                step,
                layer,
                method,
                points: Arc::new(points),
                summary,
            })
        }
        Request::Clusters { step, layer, k } => {
            let values = store.load(step, &layer).map_err(err)?;
            let clusters =
                kmeans(values.view(), &store.catalog().labels, k, 0).map_err(|e| e.to_string())?;
            Ok(Response::Clusters {
                step,
                layer,
                k,
                clusters: Arc::new(clusters),
            })
        }
        Request::Neighbours {
            step,
            layer,
            image,
            classes,
            k,
        } => {
            let values = store.load(step, &layer).map_err(err)?;
            let labels = &store.catalog().labels;
            let lists = classes
                .into_iter()
                .map(|class| {
                    let among: Vec<ImageId> = (0..labels.len() as ImageId)
                        .filter(|&i| labels[i as usize] == class)
                        .collect();
                    (
                        class,
                        nearest(values.view(), image, k, Metric::Cosine, Some(&among)),
                    )
                })
                .collect();
            Ok(Response::Neighbours {
                step,
                layer,
                image,
                lists,
            })
        }
        Request::History { image } => {
            let history = crate::summary::load_history(store, image).map_err(err)?;
            Ok(Response::History { image, history })
        }
        Request::Thumbnails { images } => {
            let thumbs = images
                .into_iter()
                .map(|i| Ok((i, store.thumbnail(i).map_err(err)?)))
                .collect::<Result<Vec<_>, String>>()?;
            Ok(Response::Thumbnails(thumbs))
        }
        Request::Refresh => {
            store.refresh_steps().map_err(err)?;
            Ok(Response::Steps(store.catalog().steps.clone()))
        }
        Request::Accuracies => Ok(Response::Accuracies(
            crate::summary::accuracy_by_step(store).map_err(err)?,
        )),
        Request::Order {
            matrix,
            linkage,
            key,
        } => Ok(Response::Order {
            key,
            order: Arc::new(order_classes(matrix.view(), linkage)),
        }),
    }
}
