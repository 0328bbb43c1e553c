//! Which axes the PCA map is drawn on. Fitted anew at each step, PCA's top two directions
//! turn and swap between checkpoints, so the cloud jumps even where the data hardly moved;
//! drawn on the axes of one step (the last, by default) every step shares them, and what
//! moves on screen is the data. `b` switches to each step's own axes (aligned to the
//! neighbouring map) and back.

use std::sync::Arc;

use super::app::App;
use super::jobs::{JobKey, Request};
use crate::analysis::Method;
use crate::analysis::project::PcaBasis;
use crate::model::StepId;

/// The axes of the PCA map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axes {
    /// Those of the last step that has the layer (the trained network's).
    Last,
    /// Each step its own, aligned to the nearest map already drawn.
    Own,
}

/// What a PCA request of the current layer is drawn on.
pub enum AxesNeed {
    /// Ready to ask: fixed axes (their step and basis), or the step's own (`None`).
    Ready(Option<(StepId, Arc<PcaBasis>)>),
    /// The fixed axes must be computed first: the request, unless already sent.
    Missing(Option<Request>),
}

impl App {
    /// The step whose axes the current layer's PCA maps are drawn on; `None` for each
    /// step's own (chosen, or because the fixed axes could not be computed).
    pub fn axes_step(&self) -> Option<StepId> {
        if self.projection.axes == Axes::Own {
            return None;
        }
        let step = self
            .catalog
            .steps
            .iter()
            .rev()
            .find(|s| s.has_layer(&self.layer))?
            .step;
        let failed = self
            .failed
            .contains(&JobKey::Axes(step, self.layer.clone()));
        (!failed).then_some(step)
    }

    /// What the next PCA request is drawn on, or the axes to compute first.
    pub fn axes_need(&self) -> AxesNeed {
        let Some(step) = self.axes_step() else {
            return AxesNeed::Ready(None);
        };
        let key = (step, self.layer.clone());
        if let Some(basis) = self.cache.axes.get(&key) {
            return AxesNeed::Ready(Some((step, basis.clone())));
        }
        let request = Request::Axes {
            step,
            layer: self.layer.clone(),
        };
        let sent = request.keys().iter().any(|k| self.pending.contains(k));
        AxesNeed::Missing((!sent).then_some(request))
    }

    /// Whether a PCA map drawn on the axes of `axes` (`None`: its own) is the one wanted
    /// now; a map asked for before `b` was pressed, or before a newer last step arrived,
    /// is not.
    pub fn axes_current(&self, axes: Option<StepId>) -> bool {
        axes == self.axes_step()
    }

    /// Switches between the last step's axes and each step's own; the PCA maps on the
    /// other axes are dropped (all of them: they are milliseconds each to make again).
    pub fn toggle_axes(&mut self) {
        self.projection.axes = match self.projection.axes {
            Axes::Last => Axes::Own,
            Axes::Own => Axes::Last,
        };
        self.drop_pca_maps();
    }

    /// Forgets every PCA map, so the ones wanted are made again on the current axes.
    pub fn drop_pca_maps(&mut self) {
        self.cache.projections.retain(|id, _| id.2 != Method::Pca);
        self.cache.map_summaries.retain(|id, _| id.2 != Method::Pca);
    }

    /// How the title names the axes of a PCA map.
    pub fn axes_words(&self) -> String {
        match self.axes_step() {
            Some(step) => format!("on the axes of step {step}"),
            None if self.projection.axes == Axes::Last => {
                "on each step's own axes (the fixed axes could not be computed)".into()
            }
            None => "on each step's own axes".into(),
        }
    }
}
