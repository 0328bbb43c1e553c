//! The first screen's map. PCA is drawn in milliseconds but shows only the two directions
//! of largest variance: on the sample's last step the ten digits overlap in it. t-SNE keeps
//! each image's nearest neighbours together, so the classes the layer has learned stand
//! apart, and takes about a second for a few thousand images. So the viewer opens on PCA
//! and asks for the shown step's t-SNE map in the background (the disk cache answers at
//! once when it has it); when the map arrives it takes its place, unless the user has
//! chosen a map, changed the step or the layer meanwhile. Larger runs stay on PCA (t-SNE
//! takes minutes there) and `m` is one key away.

use super::app::App;
use super::jobs::Request;
use super::keymap::Action;
use crate::analysis::Method;
use crate::model::StepId;

/// Most images for which the first screen switches to t-SNE by itself.
pub const FIRST_TSNE_MAX_IMAGES: usize = 10_000;

impl App {
    /// Whether the first screen may still switch to t-SNE by itself.
    pub fn first_tsne_on(&self) -> bool {
        self.projection.first_tsne
            && self.projection.method == Method::Pca
            && self.catalog.num_images() <= FIRST_TSNE_MAX_IMAGES
    }

    /// The t-SNE map of the shown step, asked for while PCA is on screen.
    pub(super) fn wanted_first_tsne(&self, step: StepId, wanted: &mut Vec<Request>) {
        let id = (step, self.layer.clone(), Method::Tsne);
        if self.first_tsne_on() && !self.cache.projections.contains_key(&id) {
            wanted.push(Request::Projection {
                step,
                layer: self.layer.clone(),
                method: Method::Tsne,
                reference: None,
                axes: None,
                fresh: false,
            });
        }
    }

    /// Shows the t-SNE map that just arrived for `step` if the first screen is waiting for
    /// it.
    pub(super) fn take_first_tsne(&mut self, step: StepId, layer: &str, method: Method) {
        if method == Method::Tsne
            && self.first_tsne_on()
            && self.step() == Some(step)
            && self.layer == layer
        {
            self.projection.method = Method::Tsne;
            self.projection.first_tsne = false;
        }
    }

    /// The user took over: a chosen map, step or layer stays as chosen.
    pub(super) fn end_first_tsne(&mut self, action: &Action) {
        use Action::*;
        if matches!(
            action,
            StepBy(_)
                | FirstStep
                | LastStep
                | JumpBy(_)
                | TogglePlay
                | CycleLayer
                | CycleMethod
                | FreshMap
                | ToggleAxes
        ) {
            self.projection.first_tsne = false;
        }
    }
}
