//! Taking the worker's results into the app's cache.

use super::app::App;
use super::jobs::Response;
use crate::analysis::Method;

impl App {
    /// Takes one answer from the worker into the cache. Every answer (a result, a failure
    /// or a superseded request) settles its keys, so nothing stays pending for good.
    pub fn apply(&mut self, response: Response) {
        for key in response.keys() {
            self.pending.remove(&key);
            self.cache.map_progress.remove(&key);
        }
        match response {
            Response::Scores {
                step,
                scores,
                similarity,
            } => {
                self.cache.scores.insert(step, scores);
                self.cache.similarity.insert(step, similarity);
            }
            Response::Projection {
                step,
                layer,
                method,
                points,
                summary,
                axes,
            } => {
                if method == Method::Pca && !self.axes_current(axes) {
                    // Asked for on other axes than those now wanted: asked again.
                    return;
                }
                self.take_first_tsne(step, &layer, method);
                let id = (step, layer, method);
                self.projection.fresh = false;
                self.cache.map_summaries.insert(id.clone(), summary);
                self.cache.projections.insert(id, points);
            }
            Response::Axes { step, layer, basis } => {
                self.cache.axes.insert((step, layer), basis);
            }
            Response::MapProgress { key, stage } => {
                if self.pending.contains(&key) {
                    self.cache.map_progress.insert(key, stage);
                }
            }
            Response::Catalog(catalog) => {
                if let Some(catalog) = catalog {
                    self.take_catalog(*catalog);
                }
            }
            Response::Failed { keys, message } => {
                self.failed.extend(keys);
                self.status = Some(message);
            }
            // Settled above: `requests` asks again if the work is still wanted.
            Response::Superseded { .. } => {}
            other => self.keep(other),
        }
    }

    /// Keeps a result that needs nothing but its place in the cache.
    fn keep(&mut self, response: Response) {
        match response {
            Response::Clusters {
                step,
                layer,
                k,
                clusters,
            } => {
                self.cache.clusters.insert((step, layer, k), clusters);
            }
            Response::Neighbours {
                step,
                layer,
                image,
                lists,
            } => {
                let classes = lists.iter().map(|(c, _)| *c).collect();
                let key = (step, layer, image, classes);
                self.cache.neighbours.insert(key, lists);
            }
            Response::History { image, history } => {
                self.cache.histories.insert(image, history);
            }
            Response::Thumbnails(list) => {
                for (image, thumb) in list {
                    self.cache.thumbnails.insert(image, thumb);
                }
            }
            Response::MarksSaved => {}
            Response::Accuracies(a) => {
                self.cache.accuracies = Some(a);
            }
            Response::Order { key, order } => {
                self.cache.orders.insert(key, order);
            }
            Response::Suspects { step, queue } => {
                self.cache.suspects.insert(step, queue);
            }
            Response::Classes { step, table } => {
                self.cache.class_tables.insert(step, table);
            }
            _ => {}
        }
    }
}
