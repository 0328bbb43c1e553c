//! A run that is still being written: taking a re-read catalog (new steps, and the layers
//! and classes they name), whether steps are arriving ("following"), and whether a worker's
//! store must look for new steps before it answers.

use std::time::{Duration, Instant};

use super::app::App;
use super::jobs::Request;
use crate::model::Catalog;
use crate::store::Store;

/// How long after the newest step arrived the run still counts as live ("following").
pub const LIVE_FOR: Duration = Duration::from_secs(300);

impl App {
    /// Takes a re-read catalog: keeps the user on the same step, and moves to the newest
    /// only when following and on the last step.
    pub fn take_catalog(&mut self, catalog: Catalog) {
        if catalog == self.catalog {
            return;
        }
        let was_last = self.step_index + 1 >= self.catalog.steps.len();
        let current = self.step();
        let grew = catalog.steps.len() > self.catalog.steps.len();
        let axes = self.axes_step();
        self.catalog = catalog;
        if self.axes_step() != axes {
            // A newer last step: its axes replace the old ones.
            self.drop_pca_maps();
        }
        if self.catalog.layer(&self.layer).is_none() {
            // Opened before any layer was logged: show the first features layer once it is.
            self.layer = self
                .catalog
                .default_features_layer()
                .map(|l| l.name.clone())
                .unwrap_or_default();
        }
        self.step_index = current
            .and_then(|s| self.catalog.steps.iter().position(|x| x.step == s))
            .unwrap_or(0);
        if grew {
            self.last_arrival = Some(Instant::now());
            // What failed for want of a step or a layer may work now.
            self.failed.clear();
            if self.follow && was_last {
                self.step_index = self.catalog.steps.len().saturating_sub(1);
            }
        }
    }

    /// Whether a new step arrived while the viewer is open, less than five minutes ago.
    pub fn is_live(&self) -> bool {
        self.last_arrival.is_some_and(|t| t.elapsed() < LIVE_FOR)
    }

    /// Whether the header's accuracy line lacks a step that has predictions: it is asked
    /// for again then, so that it fills in as a live run grows.
    pub fn accuracies_stale(&self) -> bool {
        let Some(known) = &self.cache.accuracies else {
            return true;
        };
        let Some(layer) = self.catalog.prediction_layer() else {
            return false;
        };
        self.catalog
            .steps
            .iter()
            .filter(|s| s.has_layer(&layer.name))
            .any(|s| !known.iter().any(|(step, _)| *step == s.step))
    }
}

/// Whether `store` may not know what `request` is about: a step or layer logged since it
/// was read, or (for the accuracy of every step) any step at all. Only the quick thread's
/// store is refreshed on the timer; the others look here first.
pub fn store_behind(store: &Store, request: &Request) -> bool {
    let catalog = store.catalog();
    let (step, layer) = match request {
        Request::Accuracies => return true,
        Request::Scores { step, .. } => (*step, None),
        Request::Projection { step, layer, .. }
        | Request::Clusters { step, layer, .. }
        | Request::Neighbours { step, layer, .. } => (*step, Some(layer)),
        _ => return false,
    };
    catalog.step(step).is_none() || layer.is_some_and(|l| catalog.layer(l).is_none())
}
