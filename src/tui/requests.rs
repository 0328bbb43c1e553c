//! What the worker should compute for what is on screen now. A pure function of the state,
//! so that it can be tested and so that nothing is asked for twice.

use super::app::{App, ColourBy, Focus, View};
use super::axes::AxesNeed;
use super::jobs::{JobKey, Request};
use crate::analysis::Method;
use crate::model::ImageId;

/// How many neighbours each list of the misclassified view shows.
pub const NEIGHBOURS: usize = 8;

/// Thumbnails loaded either side of the selection in a confusion cell's grid (more than
/// any screen shows at once, so every page that holds the selection is ready).
const CELL_PAGE: usize = 160;

/// Most images the clusters view's grid shows (fewer on smaller screens).
pub const CLUSTER_GRID: usize = 48;

impl App {
    /// New requests for what the current view needs and the cache lacks; marks them pending.
    pub fn requests(&mut self) -> Vec<Request> {
        let mut wanted = Vec::new();
        wanted.extend(self.take_unsaved_marks());
        if self.accuracies_stale() {
            wanted.push(Request::Accuracies);
        }
        if let Some(step) = self.step() {
            self.wanted_for_step(step, &mut wanted);
        }
        let mut out = Vec::new();
        for r in wanted {
            let keys = r.keys();
            if keys
                .iter()
                .all(|k| !self.pending.contains(k) && !self.failed.contains(k))
            {
                self.pending.extend(keys);
                out.push(r);
            }
        }
        // Thumbnails are asked for per image, together in one request.
        let missing: Vec<ImageId> = self
            .thumbnails_wanted()
            .into_iter()
            .filter(|&i| {
                let key = JobKey::Thumbnail(i);
                !self.cache.thumbnails.contains_key(&i)
                    && !self.pending.contains(&key)
                    && !self.failed.contains(&key)
            })
            .collect();
        if !missing.is_empty() && self.catalog.has_thumbnails {
            let request = Request::Thumbnails { images: missing };
            self.pending.extend(request.keys());
            out.push(request);
        }
        out
    }

    fn wanted_for_step(&self, step: i64, wanted: &mut Vec<Request>) {
        let has_features = self.layer_at_step(self.step_index);
        let features = has_features.then(|| self.layer.clone());
        if !self.cache.scores.contains_key(&step) && self.catalog.prediction_layer().is_some() {
            wanted.push(Request::Scores {
                step,
                features: features.clone(),
            });
        }
        match self.view {
            View::Projection => {
                // Colouring by cluster computes the clusters, as view 4 does.
                if has_features
                    && self.projection.colour_by == ColourBy::Cluster
                    && self.current_clusters().is_none()
                {
                    wanted.push(Request::Clusters {
                        step,
                        layer: self.layer.clone(),
                        k: self.cluster_k,
                    });
                }
                if has_features && self.points().is_none() {
                    self.wanted_map(step, wanted);
                }
                if has_features {
                    self.wanted_first_tsne(step, wanted);
                    self.wanted_neighbour_map(wanted);
                }
                if self.projection.focus == Some(Focus::Suspects) {
                    self.wanted_suspect_queue(step, wanted);
                }
            }
            View::Similarity => {
                self.wanted_for_matrix(features, wanted);
                if self.matrix.table
                    && !self.cache.class_tables.contains_key(&step)
                    && self.scores_possible(step)
                {
                    let known = self.cache.similarity.get(&step).cloned();
                    wanted.push(Request::Classes { step, known });
                }
            }
            View::Misclassified => {
                self.wanted_for_mistakes(step, has_features, wanted);
                self.wanted_suspect_queue(step, wanted);
            }
            View::Suspects => self.wanted_for_suspects(step, has_features, wanted),
            View::Clusters => {
                if has_features && self.current_clusters().is_none() {
                    wanted.push(Request::Clusters {
                        step,
                        layer: self.layer.clone(),
                        k: self.cluster_k,
                    });
                }
            }
        }
    }

    /// The current step's map; a PCA map on fixed axes once they are known.
    fn wanted_map(&self, step: i64, wanted: &mut Vec<Request>) {
        let method = self.projection.method;
        let axes = match method {
            Method::Pca => match self.axes_need() {
                AxesNeed::Ready(axes) => axes,
                AxesNeed::Missing(request) => {
                    wanted.extend(request);
                    return;
                }
            },
            _ => None,
        };
        // Start from the nearest computed layout of the same method, so that consecutive
        // maps line up (t-SNE and UMAP also start their descent there).
        let reference = self
            .nearest_map()
            .filter(|_| !self.projection.fresh)
            .map(|(s, p, _)| (s, p.clone()));
        wanted.push(Request::Projection {
            step,
            layer: self.layer.clone(),
            method,
            reference,
            axes,
            fresh: self.projection.fresh,
        });
    }

    /// Once the shown PCA map is there, the next step's (then the previous one's), so that
    /// stepping shows it at once: on a 50,000 x 512 run a map takes a few hundred
    /// milliseconds, most of it reading the step. One at a time, after the shown step's:
    /// the worker keeps only the newest waiting map request, so a step change replaces it.
    fn wanted_neighbour_map(&self, wanted: &mut Vec<Request>) {
        let Some(current) = self.step() else { return };
        let shown = self.points();
        if self.projection.method != Method::Pca || shown.is_none() {
            return;
        }
        let AxesNeed::Ready(axes) = self.axes_need() else {
            return;
        };
        let next = [self.step_index + 1, self.step_index.wrapping_sub(1)]
            .into_iter()
            .filter_map(|i| self.catalog.steps.get(i))
            .filter(|s| s.has_layer(&self.layer))
            .find(|s| !self.cache.projections.contains_key(&self.map_id(s.step)));
        if let Some(step) = next {
            wanted.push(Request::Projection {
                step: step.step,
                layer: self.layer.clone(),
                method: Method::Pca,
                reference: shown.map(|p| (current, p.clone())),
                axes,
                fresh: false,
            });
        }
    }

    /// The matrices of the step that orders the classes, then their order.
    fn wanted_for_matrix(&self, features: Option<String>, wanted: &mut Vec<Request>) {
        let Some(order_step) = self.order_step() else {
            return;
        };
        if !self.cache.similarity.contains_key(&order_step) {
            wanted.push(Request::Scores {
                step: order_step,
                features,
            });
        } else if let Some(key) = self.order_key()
            && !self.cache.orders.contains_key(&key)
            && let Some(m) = self.ordering_matrix(order_step)
        {
            wanted.push(Request::Order {
                matrix: m.into(),
                linkage: self.matrix.linkage,
                key,
            });
        }
    }

    /// The history of the image shown (the mistake, or its chosen neighbour) and the
    /// selected mistake's neighbours.
    fn wanted_for_mistakes(&self, step: i64, has_features: bool, wanted: &mut Vec<Request>) {
        let Some(image) = self.mis_selected_image() else {
            return;
        };
        let shown = self.mis_image().unwrap_or(image);
        if !self.cache.histories.contains_key(&shown) {
            wanted.push(Request::History { image: shown });
        }
        if has_features
            && self.neighbour_lists(image).is_none()
            && let Some(classes) = self.neighbour_classes(image)
        {
            wanted.push(Request::Neighbours {
                step,
                layer: self.layer.clone(),
                image,
                classes: classes.to_vec(),
                k: NEIGHBOURS,
            });
        }
    }

    /// The matrix the classes are ordered by.
    fn ordering_matrix(&self, step: i64) -> Option<ndarray::Array2<f64>> {
        let s = self.cache.similarity.get(&step)?;
        Some(s.source(self.matrix.source)?.ordering)
    }

    /// Images whose previews are on screen.
    fn thumbnails_wanted(&self) -> Vec<ImageId> {
        let mut ids = Vec::new();
        match (self.overlay, self.view) {
            (
                Some(super::app::Overlay::Cell {
                    label,
                    predicted,
                    selected,
                }),
                _,
            ) => {
                let images = self.cell_images(label, predicted);
                let from = selected.saturating_sub(CELL_PAGE);
                ids.extend(images.iter().skip(from).take(2 * CELL_PAGE + 1));
            }
            (Some(super::app::Overlay::Region { selected }), _) => {
                let images = self.region_images();
                let from = selected.saturating_sub(CELL_PAGE);
                ids.extend(images.iter().skip(from).take(2 * CELL_PAGE + 1));
            }
            (_, View::Projection) => ids.extend(self.projection.cursor),
            (_, View::Misclassified) => {
                ids.extend(self.mis_image());
                if let Some(image) = self.mis_selected_image() {
                    ids.push(image);
                    if let Some(lists) = self.neighbour_lists(image) {
                        ids.extend(lists.iter().flat_map(|(_, l)| l.iter().map(|n| n.image)));
                    }
                }
            }
            (_, View::Suspects) => {
                ids.extend(self.suspect_image());
                ids.extend(self.suspect_thumbnails());
            }
            (_, View::Clusters) => {
                if let Some(step) = self.step()
                    && let Some(c) =
                        self.cache
                            .clusters
                            .get(&(step, self.layer.clone(), self.cluster_k))
                    && let Some(list) = c.nearest_to_centroid.get(self.cluster_selected)
                {
                    ids.extend(list.iter().take(CLUSTER_GRID));
                }
            }
            _ => {}
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The image selected in the confusion-cell overlay.
    pub fn cell_images_selected(&self) -> Option<ImageId> {
        if let Some(super::app::Overlay::Cell {
            label,
            predicted,
            selected,
        }) = self.overlay
        {
            let images = self.cell_images(label, predicted);
            images
                .get(selected.min(images.len().saturating_sub(1)))
                .copied()
        } else {
            None
        }
    }

    /// Images of a (true, predicted) cell at the current step.
    pub fn cell_images(&self, label: u32, predicted: u32) -> Vec<ImageId> {
        let Some(scores) = self.scores() else {
            return vec![];
        };
        let predicted_classes: Vec<u32> = scores.predictions.iter().map(|p| p.class).collect();
        crate::analysis::misclassified::images_in_cell(
            &self.catalog.labels,
            &predicted_classes,
            label,
            predicted,
        )
    }
}
