//! How actions change the state. No I/O: what to compute next follows from the state
//! (`App::requests`).

use super::app::{App, ColourBy, Focus, MisFocus, Overlay, View};
use super::keymap::Action;
use crate::analysis::ordering::Linkage;
use crate::model::{ClassId, ImageId};

const CLUSTER_COUNTS: [usize; 6] = [5, 10, 20, 30, 50, 100];

impl App {
    pub fn update(&mut self, action: Action) {
        use Action::*;
        self.status = None;
        match action {
            Quit => self.quit = true,
            Help => {
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
            Search => {
                self.search.clear();
                self.overlay = Some(Overlay::Search);
            }
            Type(c) => self.search.push(c),
            Backspace => {
                self.search.pop();
            }
            Move(dx, dy) => self.move_cursor(dx, dy),
            Enter => self.enter(),
            CycleMethod => {
                self.projection.method = self.projection.method.next();
                self.projection.fresh = false;
            }
            FreshMap => self.fresh_map(),
            ZoomIn => {
                // Zoom in around the cursor when there is one, so what is looked at stays.
                if let (Some(i), Some((points, _))) =
                    (self.projection.cursor, self.points_or_nearest())
                {
                    let i = i as usize;
                    if i < points.nrows() {
                        self.projection.centre = Some((points[[i, 0]], points[[i, 1]]));
                    }
                }
                self.projection.zoom = (self.projection.zoom * 1.5).min(256.0);
            }
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
                    self.projection.focus = Some(Focus::Class(self.catalog.labels[i as usize]));
                }
            }
            FocusPair => {
                if let (Some(i), Some(scores)) = (self.projection.cursor, self.scores()) {
                    let predicted = scores.predictions[i as usize].class;
                    self.projection.focus = Some(Focus::Pair {
                        label: self.catalog.labels[i as usize],
                        predicted,
                    });
                }
            }
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
            CycleNeighbourFocus => {
                self.mis.focus = match self.mis.focus {
                    MisFocus::List => MisFocus::Neighbours(0),
                    MisFocus::Neighbours(0) => MisFocus::Neighbours(1),
                    MisFocus::Neighbours(_) => MisFocus::List,
                }
            }
            CycleLabelFilter => {
                self.mis.filter_label = self.next_class(self.mis.filter_label);
                self.mis.selected = 0;
            }
            CyclePredictedFilter => {
                self.mis.filter_predicted = self.next_class(self.mis.filter_predicted);
                self.mis.selected = 0;
            }
            ClearFilters => {
                self.mis.filter_label = None;
                self.mis.filter_predicted = None;
            }
            ToggleSort => self.mis.least_confident_first = !self.mis.least_confident_first,
            MoreClusters | FewerClusters => {
                let i = CLUSTER_COUNTS
                    .iter()
                    .position(|&k| k >= self.cluster_k)
                    .unwrap_or(3);
                let i = if action == MoreClusters {
                    (i + 1).min(CLUSTER_COUNTS.len() - 1)
                } else {
                    i.saturating_sub(1)
                };
                self.cluster_k = CLUSTER_COUNTS[i];
                self.cluster_selected = 0;
            }
        }
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

    fn show(&mut self, view: View) {
        self.view = view;
        self.overlay = None;
    }

    fn pan(&mut self, dx: i32, dy: i32) {
        let Some((points, _)) = self.points_or_nearest() else {
            return;
        };
        let (x0, x1, y0, y1) = super::views::projection::bounds(points);
        let (cx, cy) = self
            .projection
            .centre
            .unwrap_or(((x0 + x1) / 2.0, (y0 + y1) / 2.0));
        let step = 0.25 / self.projection.zoom;
        self.projection.centre = Some((
            cx + dx as f32 * (x1 - x0) * step,
            cy + dy as f32 * (y1 - y0) * step,
        ));
    }

    fn close(&mut self) {
        if self.overlay.is_some() {
            self.overlay = None;
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

    fn next_class(&self, current: Option<ClassId>) -> Option<ClassId> {
        match current {
            None if self.num_classes() > 0 => Some(0),
            Some(c) if (c as usize) + 1 < self.num_classes() => Some(c + 1),
            _ => None,
        }
    }

    fn move_cursor(&mut self, dx: i32, dy: i32) {
        match self.overlay {
            Some(Overlay::Cell {
                label,
                predicted,
                selected,
            }) => {
                let n = self.cell_images(label, predicted).len();
                let selected =
                    (selected as i64 + dy as i64).clamp(0, n.saturating_sub(1) as i64) as usize;
                self.overlay = Some(Overlay::Cell {
                    label,
                    predicted,
                    selected,
                });
                return;
            }
            Some(_) => return,
            None => {}
        }
        match self.view {
            View::Projection => self.move_projection_cursor(dx, dy),
            View::Similarity => {
                let k = self.num_classes().max(1) as i64;
                let (r, c) = self.matrix.cursor;
                self.matrix.cursor = (
                    (r as i64 + dy as i64).clamp(0, k - 1) as usize,
                    (c as i64 + dx as i64).clamp(0, k - 1) as usize,
                );
            }
            View::Misclassified => match self.mis.focus {
                MisFocus::List => {
                    let n = self.visible_mistakes().len();
                    self.mis.selected = (self.mis.selected as i64 + dy as i64)
                        .clamp(0, n.saturating_sub(1) as i64)
                        as usize;
                    self.mis.neighbour_selected = [0, 0];
                }
                MisFocus::Neighbours(i) => {
                    let s = &mut self.mis.neighbour_selected[i];
                    *s = (*s as i64 + dy as i64).clamp(0, super::requests::NEIGHBOURS as i64 - 1)
                        as usize;
                }
            },
            View::Clusters => {
                let k = self.cluster_k.min(self.catalog.num_images()).max(1) as i64;
                self.cluster_selected =
                    (self.cluster_selected as i64 + dy as i64 + dx as i64).clamp(0, k - 1) as usize;
            }
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

    /// Moves the projection cursor to the nearest image in the direction (dx, dy), where
    /// y grows upwards on screen. With no cursor yet, starts at the image nearest the centre.
    fn move_projection_cursor(&mut self, dx: i32, dy: i32) {
        let Some((points, _)) = self.points_or_nearest() else {
            return;
        };
        let points = points.clone();
        let n = points.nrows();
        if n == 0 {
            return;
        }
        let at = |i: usize| (points[[i, 0]], points[[i, 1]]);
        let Some(cur) = self.projection.cursor.filter(|&c| (c as usize) < n) else {
            let (cx, cy) = self
                .projection
                .centre
                .unwrap_or_else(|| super::views::projection::data_centre(&points));
            let best = (0..n).min_by(|&a, &b| {
                let d = |i: usize| (at(i).0 - cx).powi(2) + (at(i).1 - cy).powi(2);
                d(a).total_cmp(&d(b))
            });
            self.projection.cursor = best.map(|i| i as ImageId);
            return;
        };
        let (x0, y0) = at(cur as usize);
        let (ux, uy) = (dx as f32, -dy as f32);
        let best = (0..n)
            .filter(|&i| i != cur as usize)
            .filter_map(|i| {
                let (vx, vy) = (at(i).0 - x0, at(i).1 - y0);
                let along = vx * ux + vy * uy;
                (along > 0.0).then(|| {
                    let across = (vx * uy - vy * ux).abs();
                    (i, along + 2.0 * across)
                })
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = best {
            self.projection.cursor = Some(i as ImageId);
        }
    }

    fn enter(&mut self) {
        match self.overlay {
            Some(Overlay::Search) => {
                self.apply_search();
                return;
            }
            Some(Overlay::Cell { .. }) => {
                // Drill down: show the chosen image in the projection.
                if let Some(image) = self.cell_images_selected() {
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
