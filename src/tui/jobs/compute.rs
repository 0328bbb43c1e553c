//! `compute`: one request in, its result out, through the query layer. The worker threads
//! run it; tests and benchmarks call it directly.

use std::sync::Arc;

use ndarray::Array2;

use super::{MapSummary, Request, Response};
use crate::analysis::Method;
use crate::analysis::align::align_rigid;
use crate::analysis::neighbours::{Metric, Neighbour};
use crate::analysis::nonlinear::Stage;
use crate::analysis::ordering::order_classes;
use crate::analysis::project::PcaBasis;
use crate::model::{ClassId, ImageId, StepId, Thumbnail};
use crate::query::classes::ClassTable;
use crate::query::mapcache::MapCache;
use crate::query::maps::{MapRequest, MapSettings, layer_map, pca_basis_at};
use crate::query::neighbours::{clusters, nearest_of_class};
use crate::query::scores::{accuracy_by_step, step_scores};
use crate::query::select::At;
use crate::query::similarity::{Matrices, all_matrices};
use crate::query::suspects::{SuspectOptions, SuspectQueue, suspects};
use crate::query::{Error, history};
use crate::store::Store;

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
    let behind = crate::tui::live::store_behind(store, &request);
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
        Request::Clusters { step, layer, k } => cluster_response(store, step, layer, k)?,
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
        Request::SaveMarks { dir, marks } => {
            dir.save(store.path(), &marks)?;
            Response::MarksSaved
        }
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
        Request::Classes { step, known } => Response::Classes {
            step,
            table: Arc::new(class_table(store, step, known.as_deref())?),
        },
    })
}

/// The thumbnail of each image (None where the run has none).
fn cluster_response(
    store: &Store,
    step: StepId,
    layer: String,
    k: usize,
) -> Result<Response, Error> {
    let at = at(store, step, &layer)?;
    Ok(Response::Clusters {
        clusters: Arc::new(clusters(store, &at, k, 0)?),
        step,
        layer,
        k,
    })
}

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

/// The class table of a step, from the step's confusion counts when `known` has them.
fn class_table(store: &Store, step: StepId, known: Option<&Matrices>) -> Result<ClassTable, Error> {
    let confusion = known.and_then(|m| m.confusion.as_ref());
    crate::query::classes::class_table_given(store, step, confusion)
}

/// A layer at a step, as the app names them.
fn at(store: &Store, step: StepId, layer: &str) -> Result<At, Error> {
    Ok(At {
        step,
        layer: store.layer(layer)?.clone(),
    })
}

/// What a map starts from or is drawn on (see `Request::Projection`).
struct MapOn {
    reference: Option<(StepId, Arc<Array2<f32>>)>,
    axes: Option<(StepId, Arc<PcaBasis>)>,
    fresh: bool,
}

/// The map of a layer at a step with the default settings, and what is said about it.
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
