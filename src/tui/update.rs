//! How messages change the state: an action (from a key or the mouse wheel) or a click on a
//! target that a view's hit test resolved. No I/O: what to compute next follows from the
//! state (`App::requests`).

use super::app::{App, ColourBy, Focus, MisFocus, Overlay, View};
use super::keymap::Action;
use super::region::MapPoint;
use super::views::Target;
use crate::analysis::ordering::Linkage;
use crate::model::ClassId;

const CLUSTER_COUNTS: [usize; 6] = [5, 10, 20, 30, 50, 100];

/// What changes the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// What a key (or the mouse wheel) asks for.
    Act(Action),
    /// A left click on what a view drew (`views::hit`).
    Click(Target),
    /// The left button went down on the map, at this map point (`views::map_point`).
    Press(MapPoint),
    /// The mouse moved with the left button down, to this map point.
    Drag(MapPoint),
    /// The left button came up.
    Release,
}

impl From<Action> for Message {
    fn from(action: Action) -> Message {
        Message::Act(action)
    }
}

impl App {
    pub fn update(&mut self, message: impl Into<Message>) {
        self.status = None;
        match message.into() {
            Message::Act(action) => self.act(action),
            Message::Click(target) => self.click(target),
            Message::Press(at) => self.press_map(at),
            Message::Drag(at) => self.drag_map(at),
            Message::Release => self.release_map(),
        }
    }

    fn act(&mut self, action: Action) {
        use Action::*;
        self.end_first_tsne(&action);
        match action {
            Quit => self.quit = true,
            Help => {
                self.help_scroll = 0;
                self.overlay = if self.overlay == Some(Overlay::Help) {
                    None
                } else {
                    Some(Overlay::Help)
                }
            }
            Close => self.close(),
            NextView | PrevView => {
                let i = View::ALL.iter().position(|v| *v == self.view).unwrap_or(0);
                let n = View::ALL.len();
                let next = if action == NextView {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.show(View::ALL[next]);
            }
            ShowView(v) => self.show(v),
            Search => {
                self.search.clear();
                self.search_selected = 0;
                self.overlay = Some(Overlay::Search);
            }
            Type(c) => {
                self.search.push(c);
                self.search_selected = 0;
            }
            Backspace => {
                self.search.pop();
                self.search_selected = 0;
            }
            Move(dx, dy) => self.move_cursor(dx, dy),
            Enter => self.enter(),
            StepBy(_) | FirstStep | LastStep | JumpBy(_) | TogglePlay | ToggleFollow
            | CycleLayer => self.act_on_steps(action),
            CycleMethod | FreshMap | ToggleAxes | ZoomIn | Pan(..) | ZoomOut | ResetZoom
            | CycleColour | FocusClass | FocusPair | FocusSuspects => self.act_on_map(action),
            CycleSource | CycleLinkage | ToggleFixedOrder | ToggleConfusionPanel | ToggleCounts
            | ToggleClassTable | MatrixZoom(_) => self.act_on_matrix(action),
            CycleNeighbourFocus if self.view == View::Suspects => self.cycle_suspect_focus(),
            SetMark(mark) => self.toggle_mark(mark),
            CycleNeighbourFocus | CycleLabelFilter | CyclePredictedFilter | ClearFilters
            | ToggleSort => self.act_on_mistakes(action),
            SelectRegion => self.start_region(),
            SendToMistakes => self.send_to_mistakes(),
            MoreClusters => self.change_cluster_count(1),
            FewerClusters => self.change_cluster_count(-1),
        }
    }

    /// Moves through the steps of the run, or picks its layer.
    fn act_on_steps(&mut self, action: Action) {
        use Action::*;
        match action {
            StepBy(d) => self.step_by(d),
            FirstStep => self.step_index = 0,
            LastStep => self.step_index = self.catalog.steps.len().saturating_sub(1),
            JumpBy(d) => self.step_by(d * (self.catalog.steps.len() as i64 / 10).max(1)),
            TogglePlay => {
                self.playing = !self.playing;
                if self.playing && self.step_index + 1 >= self.catalog.steps.len() {
                    self.step_index = 0;
                }
            }
            ToggleFollow => self.follow = !self.follow,
            CycleLayer => self.cycle_layer(),
            _ => {}
        }
    }

    /// The projection: which map, how it is looked at and coloured, what is highlighted.
    fn act_on_map(&mut self, action: Action) {
        use Action::*;
        match action {
            CycleMethod => {
                self.projection.method = self.projection.method.next();
                self.projection.fresh = false;
            }
            FreshMap => self.fresh_map(),
            ToggleAxes => self.toggle_axes(),
            ZoomIn => self.zoom_in(),
            Pan(dx, dy) => self.pan(dx, dy),
            ZoomOut => self.projection.zoom = (self.projection.zoom / 1.5).max(1.0),
            ResetZoom => {
                self.projection.zoom = 1.0;
                self.projection.centre = None;
            }
            CycleColour => {
                self.projection.colour_by = match self.projection.colour_by {
                    ColourBy::TrueClass => ColourBy::Predicted,
                    ColourBy::Predicted => ColourBy::Correctness,
                    ColourBy::Correctness => ColourBy::Cluster,
                    ColourBy::Cluster => ColourBy::TrueClass,
                }
            }
            FocusClass => {
                if let Some(i) = self.projection.cursor {
                    self.toggle_focus(Focus::Class(self.catalog.labels[i as usize]));
                }
            }
            FocusPair => {
                if let (Some(i), Some(scores)) = (self.projection.cursor, self.scores()) {
                    let predicted = scores.predictions[i as usize].class;
                    self.toggle_focus(Focus::Pair {
                        label: self.catalog.labels[i as usize],
                        predicted,
                    });
                }
            }
            FocusSuspects => self.toggle_focus(Focus::Suspects),
            _ => {}
        }
    }

    /// The similarity matrix: its source, how the classes are ordered, the confusion beside.
    fn act_on_matrix(&mut self, action: Action) {
        use Action::*;
        match action {
            CycleSource => self.matrix.source = self.matrix.source.next(),
            CycleLinkage => {
                self.matrix.linkage = match self.matrix.linkage {
                    Linkage::Average => Linkage::Complete,
                    Linkage::Complete => Linkage::Centroid,
                    Linkage::Centroid => Linkage::Ward,
                    Linkage::Ward => Linkage::Average,
                }
            }
            ToggleFixedOrder => self.matrix.fixed_order = !self.matrix.fixed_order,
            ToggleConfusionPanel => self.matrix.show_confusion = !self.matrix.show_confusion,
            ToggleCounts => self.matrix.counts = !self.matrix.counts,
            ToggleClassTable => self.matrix.table = !self.matrix.table,
            MatrixZoom(direction) => super::views::similarity::zoom(self, direction),
            _ => {}
        }
    }

    /// The misclassified list: its filters and order, and which list has the focus.
    fn act_on_mistakes(&mut self, action: Action) {
        use Action::*;
        match action {
            CycleNeighbourFocus => {
                self.mis.focus = match self.mis.focus {
                    MisFocus::List => MisFocus::Neighbours(0),
                    MisFocus::Neighbours(0) => MisFocus::Neighbours(1),
                    MisFocus::Neighbours(_) => MisFocus::List,
                }
            }
            CycleLabelFilter => {
                self.mis.pinned = None;
                let from = self.mis_selected().map(|m| m.label);
                self.mis.filter_label = self.next_class(self.mis.filter_label, from);
                self.mis.selected = 0;
            }
            CyclePredictedFilter => {
                self.mis.pinned = None;
                let from = self.mis_selected().map(|m| m.predicted);
                self.mis.filter_predicted = self.next_class(self.mis.filter_predicted, from);
                self.mis.selected = 0;
            }
            ClearFilters => {
                self.mis.filter_label = None;
                self.mis.filter_predicted = None;
            }
            ToggleSort => self.mis.least_confident_first = !self.mis.least_confident_first,
            _ => {}
        }
    }

    /// One more (`by` = 1) or fewer (-1) step along the cluster counts offered.
    fn change_cluster_count(&mut self, by: i32) {
        let i = CLUSTER_COUNTS
            .iter()
            .position(|&k| k >= self.cluster_k)
            .unwrap_or(3);
        let i = if by > 0 {
            (i + 1).min(CLUSTER_COUNTS.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        self.cluster_k = CLUSTER_COUNTS[i];
        self.cluster_selected = 0;
    }

    /// Advances playback by one step; stops at the end. Called by the run loop's timer
    /// only when the current step's data is on screen, so every step is seen.
    pub fn tick_play(&mut self) {
        if !self.playing {
            return;
        }
        if self.step_index + 1 >= self.catalog.steps.len() {
            self.playing = false;
        } else {
            self.step_index += 1;
        }
    }

    pub(super) fn show(&mut self, view: View) {
        self.view = view;
        self.overlay = None;
    }

    fn close(&mut self) {
        if self.overlay == Some(Overlay::Select) {
            // Cancelled: the rectangle goes with it.
            self.overlay = None;
            self.projection.region = None;
        } else if self.overlay.is_some() {
            self.overlay = None;
        } else if self.view == View::Projection && self.projection.region.is_some() {
            self.projection.region = None;
        } else if self.view == View::Misclassified && self.mis.pinned.is_some() {
            self.mis.pinned = None;
        } else if self.projection.focus.is_some() {
            self.projection.focus = None;
        } else {
            self.mis.filter_label = None;
            self.mis.filter_predicted = None;
        }
    }

    fn step_by(&mut self, d: i64) {
        let last = self.catalog.steps.len().saturating_sub(1) as i64;
        self.step_index = (self.step_index as i64 + d).clamp(0, last) as usize;
    }

    fn cycle_layer(&mut self) {
        let layers = &self.catalog.layers;
        if layers.is_empty() {
            return;
        }
        let i = layers
            .iter()
            .position(|l| l.name == self.layer)
            .unwrap_or(0);
        self.layer = layers[(i + 1) % layers.len()].name.clone();
    }

    /// A highlight key: on, or off when that highlight is already on.
    fn toggle_focus(&mut self, focus: Focus) {
        let same = self.projection.focus == Some(focus);
        self.projection.focus = (!same).then_some(focus);
    }

    /// The mistake under the list cursor.
    fn mis_selected(&self) -> Option<crate::analysis::misclassified::Misclassified> {
        let list = self.visible_mistakes();
        list.get(self.mis.selected.min(list.len().saturating_sub(1)))
            .copied()
    }

    /// The next class filter: off, then the selected mistake's class (`from`), the classes
    /// after it, off again.
    fn next_class(&self, current: Option<ClassId>, from: Option<ClassId>) -> Option<ClassId> {
        match current {
            None if self.num_classes() > 0 => Some(from.unwrap_or(0)),
            Some(c) if (c as usize) + 1 < self.num_classes() => Some(c + 1),
            _ => None,
        }
    }

    /// Drops the current step's map (and a failure to make it) so it is made again from
    /// scratch: for a t-SNE/UMAP map that drifted while following training.
    fn fresh_map(&mut self) {
        let Some(step) = self.step() else { return };
        let id = self.map_id(step);
        self.cache.projections.remove(&id);
        self.cache.map_summaries.remove(&id);
        self.failed
            .remove(&super::jobs::projection_key(id.0, &id.1, id.2));
        self.projection.fresh = true;
    }

    pub(super) fn enter(&mut self) {
        match self.overlay {
            Some(Overlay::Search) => {
                self.apply_search();
                return;
            }
            Some(Overlay::Select) => {
                self.confirm_region();
                return;
            }
            Some(Overlay::Region { selected }) => {
                // Back to the map, the cursor on the chosen image, the rectangle drawn.
                self.projection.cursor = self.region_images().get(selected).copied();
                self.overlay = None;
                self.view = View::Projection;
                return;
            }
            Some(Overlay::Cell {
                label, predicted, ..
            }) => {
                // Drill down: the projection highlights every image of the cell, the
                // cursor on the chosen one.
                if let Some(image) = self.cell_images_selected() {
                    self.projection.focus = Some(Focus::Pair { label, predicted });
                    self.projection.cursor = Some(image);
                    self.overlay = None;
                    self.view = View::Projection;
                }
                return;
            }
            _ => {}
        }
        match self.view {
            View::Similarity => {
                let order = self.class_order();
                let (r, c) = self.matrix.cursor;
                if let (Some(&label), Some(&predicted)) = (order.get(r), order.get(c)) {
                    self.overlay = Some(Overlay::Cell {
                        label: label as ClassId,
                        predicted: predicted as ClassId,
                        selected: 0,
                    });
                }
            }
            View::Projection => {
                if let (Some(i), Some(scores)) = (self.projection.cursor, self.scores()) {
                    let predicted = scores.predictions[i as usize].class;
                    let label = self.catalog.labels[i as usize];
                    let selected = self
                        .cell_images(label, predicted)
                        .iter()
                        .position(|&x| x == i)
                        .unwrap_or(0);
                    self.overlay = Some(Overlay::Cell {
                        label,
                        predicted,
                        selected,
                    });
                }
            }
            _ => {}
        }
    }
}
