//! The Suspects view's state: which suspected label error is selected from the queue of
//! the current step, and which of its neighbours; what the view needs computed (the queue,
//! the selected image's neighbours of the suggested and the given class, pictures, history).

use super::app::{App, MisFocus, NeighbourLists};
use super::jobs::Request;
use super::requests::NEIGHBOURS;
use crate::model::{ClassId, ImageId, StepId};
use crate::query::suspects::{Suspect, SuspectQueue};

/// Where the user is in the queue.
#[derive(Debug, Clone)]
pub struct SuspectsState {
    /// Index into the queue (its rank minus one).
    pub selected: usize,
    /// The queue, or one of the two neighbour grids (suggested class, given class).
    pub focus: MisFocus,
    pub neighbour_selected: [usize; 2],
}

impl Default for SuspectsState {
    fn default() -> Self {
        SuspectsState {
            selected: 0,
            focus: MisFocus::List,
            neighbour_selected: [0, 0],
        }
    }
}

impl App {
    /// The queue as of the current step, once computed.
    pub fn suspect_queue(&self) -> Option<&SuspectQueue> {
        self.cache.suspects.get(&self.step()?).map(|q| &**q)
    }

    /// The selected suspect.
    pub fn selected_suspect(&self) -> Option<&Suspect> {
        let queue = &self.suspect_queue()?.suspects;
        queue.get(self.suspects.selected.min(queue.len().saturating_sub(1)))
    }

    /// The classes whose nearest images are shown beside a suspect: the suggested label,
    /// then the given one.
    pub fn suspect_classes(suspect: &Suspect) -> Vec<ClassId> {
        let mut classes = vec![suspect.suggested, suspect.given];
        classes.dedup();
        classes
    }

    /// The selected suspect's nearest images of the suggested and of the given class.
    pub fn suspect_neighbours(&self) -> Option<&NeighbourLists> {
        let s = self.selected_suspect()?;
        self.neighbours(s.image, &App::suspect_classes(s))
    }

    /// The image the view is about: the selected suspect, or its chosen neighbour.
    pub fn suspect_image(&self) -> Option<ImageId> {
        let image = self.selected_suspect()?.image;
        let MisFocus::Neighbours(which) = self.suspects.focus else {
            return Some(image);
        };
        let chosen = self.suspect_neighbours().and_then(|lists| {
            let list = &lists.get(which)?.1;
            list.get(self.suspects.neighbour_selected[which])
        });
        Some(chosen.map_or(image, |n| n.image))
    }

    /// Arrows: through the queue, or through the focused neighbour grid (reading order).
    pub(super) fn move_in_suspects(&mut self, dx: i32, dy: i32) {
        let n = self.suspect_queue().map_or(0, |q| q.suspects.len());
        let state = &mut self.suspects;
        match state.focus {
            MisFocus::List => {
                state.selected = (state.selected as i64 + dy as i64)
                    .clamp(0, n.saturating_sub(1) as i64) as usize;
                state.neighbour_selected = [0, 0];
            }
            MisFocus::Neighbours(i) => {
                let s = &mut state.neighbour_selected[i];
                *s = (*s as i64 + dx as i64 + dy as i64).clamp(0, NEIGHBOURS as i64 - 1) as usize;
            }
        }
    }

    /// `n`: the queue, then the suggested class's grid, then the given class's.
    pub(super) fn cycle_suspect_focus(&mut self) {
        self.suspects.focus = match self.suspects.focus {
            MisFocus::List => MisFocus::Neighbours(0),
            MisFocus::Neighbours(0) => MisFocus::Neighbours(1),
            MisFocus::Neighbours(_) => MisFocus::List,
        }
    }

    /// The queue of the step; then the selected suspect's neighbours and the history of the
    /// image shown.
    pub(super) fn wanted_for_suspects(
        &self,
        step: StepId,
        has_features: bool,
        wanted: &mut Vec<Request>,
    ) {
        if self.catalog.prediction_layer().is_none() {
            return;
        }
        let Some(suspect) = self.selected_suspect() else {
            if self.suspect_queue().is_none() {
                wanted.push(Request::Suspects { step });
            }
            return;
        };
        let shown = self.suspect_image().unwrap_or(suspect.image);
        if !self.cache.histories.contains_key(&shown) {
            wanted.push(Request::History { image: shown });
        }
        if has_features && self.suspect_neighbours().is_none() {
            wanted.push(Request::Neighbours {
                step,
                layer: self.layer.clone(),
                image: suspect.image,
                classes: App::suspect_classes(suspect),
                k: NEIGHBOURS,
            });
        }
    }

    /// The queue of the step, for the views that mark suspects (the misclassified list, the
    /// projection's highlight): computed on the scan thread like view 5's.
    pub(super) fn wanted_suspect_queue(&self, step: StepId, wanted: &mut Vec<Request>) {
        if self.catalog.prediction_layer().is_some() && self.suspect_queue().is_none() {
            wanted.push(Request::Suspects { step });
        }
    }

    /// Per image, whether it is in the current step's queue (`None` until computed).
    pub fn suspect_mask(&self) -> Option<Vec<bool>> {
        let queue = self.suspect_queue()?;
        let mut mask = vec![false; self.catalog.num_images()];
        for s in &queue.suspects {
            if let Some(m) = mask.get_mut(s.image as usize) {
                *m = true;
            }
        }
        Some(mask)
    }

    /// The pictures on screen: the selected suspect and its neighbours.
    pub(super) fn suspect_thumbnails(&self) -> Vec<ImageId> {
        let mut ids: Vec<ImageId> = self
            .selected_suspect()
            .map(|s| s.image)
            .into_iter()
            .collect();
        if let Some(lists) = self.suspect_neighbours() {
            ids.extend(lists.iter().flat_map(|(_, l)| l.iter().map(|n| n.image)));
        }
        ids
    }
}
