//! Heavy work off the UI thread. `compute` is the pure part (a request in, a result out);
//! `Worker` runs it on a thread of its own with its own read-only `Store`, newest request
//! first, so holding an arrow key never queues fifty computations.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};

use ndarray::Array2;

use crate::analysis::align::align_to;
use crate::analysis::cluster::{Clusters, kmeans};
use crate::analysis::history::ImageHistory;
use crate::analysis::misclassified::{Misclassified, misclassified};
use crate::analysis::neighbours::{Metric, Neighbour, nearest};
use crate::analysis::ordering::{ClassOrder, Linkage, order_classes};
use crate::analysis::predict::{Prediction, predict, probabilities};
use crate::analysis::project::pca_2d;
use crate::analysis::similarity::{centroid_cosine, confusion_matrix, logit_correlation};
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
    /// The 2-D map of a layer at a step, aligned to `reference` when given.
    Projection {
        step: StepId,
        layer: String,
        reference: Option<Arc<Array2<f32>>>,
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
        points: Arc<Array2<f32>>,
        explained: Option<[f64; 2]>,
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
            Request::Projection { step, layer, .. } => format!("projection {step} {layer}"),
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

/// Computes one request against the store. Pure apart from reading the database.
pub fn compute(store: &mut Store, request: Request) -> Response {
    let key = request.key();
    match run(store, request) {
        Ok(r) => r,
        Err(message) => Response::Failed { key, message },
    }
}

fn run(store: &mut Store, request: Request) -> Result<Response, String> {
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
            reference,
        } => {
            let values = store.load(step, &layer).map_err(err)?;
            let mut p = pca_2d(values.view()).map_err(|e| e.to_string())?;
            if let Some(r) = reference {
                align_to(&mut p.points, r.view());
            }
            Ok(Response::Projection {
                step,
                layer,
                points: Arc::new(p.points),
                explained: p.explained_variance_ratio,
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

/// Which requests supersede each other: a newer request of the same kind replaces an older
/// one still waiting (thumbnails and refreshes are never dropped).
fn slot(request: &Request) -> Option<u8> {
    match request {
        Request::Scores { .. } => Some(0),
        Request::Projection { .. } => Some(1),
        Request::Clusters { .. } => Some(2),
        Request::Neighbours { .. } => Some(3),
        Request::History { .. } => Some(4),
        Request::Order { .. } => Some(5),
        _ => None,
    }
}

/// The background worker: owns its own `Store` on the same file.
pub struct Worker {
    pub requests: Sender<Request>,
    pub responses: Receiver<Response>,
}

impl Worker {
    pub fn start(path: PathBuf) -> Result<Worker, crate::store::StoreError> {
        let mut store = Store::open(&path)?;
        let (req_tx, req_rx) = std::sync::mpsc::channel::<Request>();
        let (resp_tx, resp_rx) = std::sync::mpsc::channel::<Response>();
        std::thread::Builder::new()
            .name("deepscope-worker".into())
            .spawn(move || serve(&mut store, req_rx, resp_tx))
            .map_err(|e| {
                crate::store::StoreError::new(&path, crate::store::Problem::Io(e.to_string()))
            })?;
        Ok(Worker {
            requests: req_tx,
            responses: resp_rx,
        })
    }
}

fn serve(store: &mut Store, requests: Receiver<Request>, responses: Sender<Response>) {
    let mut queue: Vec<Request> = Vec::new();
    loop {
        if queue.is_empty() {
            match requests.recv() {
                Ok(r) => queue.push(r),
                Err(_) => return,
            }
        }
        // Take everything waiting; keep only the newest of each supersedable kind.
        loop {
            match requests.try_recv() {
                Ok(r) => queue.push(r),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let mut newest: HashMap<u8, usize> = HashMap::new();
        for (i, r) in queue.iter().enumerate() {
            if let Some(s) = slot(r) {
                newest.insert(s, i);
            }
        }
        let keep: Vec<Request> = queue
            .drain(..)
            .enumerate()
            .filter(|(i, r)| slot(r).is_none_or(|s| newest[&s] == *i))
            .map(|(_, r)| r)
            .collect();
        // Cheap requests first (thumbnails, scores), so what the user sees next is ready soon.
        let mut keep = keep;
        keep.sort_by_key(|r| match r {
            Request::Thumbnails { .. } | Request::Refresh => 0,
            Request::Scores { .. } | Request::Order { .. } => 1,
            Request::Projection { .. } | Request::Neighbours { .. } | Request::History { .. } => 2,
            _ => 3,
        });
        let next = keep.remove(0);
        queue = keep;
        if responses.send(compute(store, next)).is_err() {
            return;
        }
    }
}
