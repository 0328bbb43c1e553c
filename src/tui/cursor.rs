//! Cursor moves: within each view's list or matrix, across the map (to the nearest image
//! in a direction), and the map's view itself (pan and zoom).

use super::app::{App, MisFocus, Overlay, View};
use crate::model::ImageId;

impl App {
    pub(super) fn move_cursor(&mut self, dx: i32, dy: i32) {
        match self.overlay {
            Some(Overlay::Cell {
                label,
                predicted,
                selected,
            }) => {
                // The grid reads left to right, top to bottom: every arrow steps one picture.
                let n = self.cell_images(label, predicted).len();
                let selected = (selected as i64 + dx as i64 + dy as i64)
                    .clamp(0, n.saturating_sub(1) as i64) as usize;
                self.overlay = Some(Overlay::Cell {
                    label,
                    predicted,
                    selected,
                });
                return;
            }
            Some(Overlay::Region { selected }) => {
                // The same grid as a cell's: every arrow steps one picture.
                let n = self.region_images().len();
                let selected = (selected as i64 + dx as i64 + dy as i64)
                    .clamp(0, n.saturating_sub(1) as i64) as usize;
                self.overlay = Some(Overlay::Region { selected });
                return;
            }
            Some(Overlay::Select) => {
                self.grow_region(dx, dy);
                return;
            }
            Some(Overlay::Search) => {
                let n = self.search_matches().len().max(1) as i64;
                self.search_selected =
                    (self.search_selected as i64 + dy as i64).clamp(0, n - 1) as usize;
                return;
            }
            Some(Overlay::Help) => {
                // Clamped when drawn, to what the screen leaves hidden.
                let rows = super::keymap::HELP.len() as i64;
                self.help_scroll = (self.help_scroll as i64 + dy as i64).clamp(0, rows) as u16;
                return;
            }
            None => {}
        }
        match self.view {
            View::Projection => self.move_projection_cursor(dx, dy),
            View::Similarity => super::views::similarity::move_cursor(self, dx, dy),
            View::Misclassified => match self.mis.focus {
                MisFocus::List => {
                    // Back to the list from an image sent here: its selection again.
                    if self.mis.pinned.take().is_some() {
                        return;
                    }
                    let n = self.visible_mistakes().len();
                    self.mis.selected = (self.mis.selected as i64 + dy as i64)
                        .clamp(0, n.saturating_sub(1) as i64)
                        as usize;
                    self.mis.neighbour_selected = [0, 0];
                }
                MisFocus::Neighbours(i) => {
                    let s = &mut self.mis.neighbour_selected[i];
                    // A grid of pictures in reading order: every arrow steps one picture.
                    *s = (*s as i64 + dx as i64 + dy as i64)
                        .clamp(0, super::requests::NEIGHBOURS as i64 - 1)
                        as usize;
                }
            },
            View::Suspects => self.move_in_suspects(dx, dy),
            View::Clusters => {
                let k = self.cluster_k.min(self.catalog.num_images()).max(1) as i64;
                self.cluster_selected =
                    (self.cluster_selected as i64 + dy as i64 + dx as i64).clamp(0, k - 1) as usize;
            }
        }
    }

    /// Zooms in around the cursor when there is one, so what is looked at stays.
    pub(super) fn zoom_in(&mut self) {
        if let (Some(i), Some((points, _))) = (self.projection.cursor, self.points_or_nearest()) {
            let i = i as usize;
            if i < points.nrows() {
                self.projection.centre = Some((points[[i, 0]], points[[i, 1]]));
            }
        }
        self.projection.zoom = (self.projection.zoom * 1.5).min(256.0);
    }

    pub(super) fn pan(&mut self, dx: i32, dy: i32) {
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
}
