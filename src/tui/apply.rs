//! Taking the worker's results into the app's cache.

use super::app::App;
use super::jobs::{Response, projection_key};

impl App {
    /// Takes one result from the worker into the cache.
    pub fn apply(&mut self, response: Response) {
        match response {
            Response::Scores {
                step,
                scores,
                similarity,
            } => {
                self.pending.remove(&format!("scores {step}"));
                self.cache.scores.insert(step, scores);
                self.cache.similarity.insert(step, similarity);
            }
            Response::Projection {
                step,
                layer,
                method,
                points,
                summary,
            } => {
                let key = projection_key(step, &layer, method);
                self.pending.remove(&key);
                self.cache.map_progress.remove(&key);
                let id = (step, layer, method);
                self.projection.fresh = false;
                self.cache.map_summaries.insert(id.clone(), summary);
                self.cache.projections.insert(id, points);
            }
            Response::MapProgress { key, stage } => {
                if self.pending.contains(&key) {
                    self.cache.map_progress.insert(key, stage);
                }
            }
            Response::Clusters {
                step,
                layer,
                k,
                clusters,
            } => {
                self.pending.remove(&format!("clusters {step} {layer} {k}"));
                self.cache.clusters.insert((step, layer, k), clusters);
            }
            Response::Neighbours {
                step,
                layer,
                image,
                lists,
            } => {
                self.pending
                    .remove(&format!("neighbours {step} {layer} {image}"));
                self.cache.neighbours.insert((step, layer, image), lists);
            }
            Response::History { image, history } => {
                self.pending.remove(&format!("history {image}"));
                self.cache.histories.insert(image, history);
            }
            Response::Thumbnails(list) => {
                for (image, thumb) in list {
                    self.pending.remove(&format!("thumb {image}"));
                    self.cache.thumbnails.insert(image, thumb);
                }
            }
            Response::Steps(steps) => {
                self.pending.remove("refresh");
                let was_last = self.step_index + 1 >= self.catalog.steps.len();
                let current = self.step();
                let grew = steps.len() > self.catalog.steps.len();
                self.catalog.steps = steps;
                // Keep the user on the same step; follow the newest only if asked to.
                self.step_index = current
                    .and_then(|s| self.catalog.steps.iter().position(|x| x.step == s))
                    .unwrap_or(0);
                if grew {
                    self.cache.accuracies = None;
                    if self.follow && was_last {
                        self.step_index = self.catalog.steps.len().saturating_sub(1);
                    }
                }
            }
            Response::Accuracies(a) => {
                self.pending.remove("accuracies");
                self.cache.accuracies = Some(a);
            }
            Response::Order { key, order } => {
                self.pending.remove(&format!("order {key:?}"));
                self.cache.orders.insert(key, order);
            }
            Response::Failed { key, message } => {
                self.pending.remove(&key);
                self.cache.map_progress.remove(&key);
                self.failed.insert(key);
                self.status = Some(message);
            }
        }
    }
}
