//! A rectangle selected on the map (view 1), by dragging the mouse or from the keyboard
//! (`v` starts it at the cursor's image, the arrows move its free corner, Enter lists the
//! images inside as a grid of pictures, Esc cancels). It is kept in map coordinates: when
//! the step changes the same part of the map is selected, and the grid lists the images the
//! current step's map puts there (maps of consecutive steps are aligned, so that is where
//! the selected images went, apart from those that moved out or in).

use super::app::{App, Overlay, View};
use crate::model::ImageId;

/// A point of the map, in the map's own coordinates. Compared bit for bit, so that the
/// messages carrying it can be `Eq`.
#[derive(Debug, Clone, Copy)]
pub struct MapPoint {
    pub x: f32,
    pub y: f32,
}

impl PartialEq for MapPoint {
    fn eq(&self, other: &MapPoint) -> bool {
        self.x.to_bits() == other.x.to_bits() && self.y.to_bits() == other.y.to_bits()
    }
}

impl Eq for MapPoint {}

/// A rectangle of the map: where it was started, and the corner that moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub anchor: MapPoint,
    pub corner: MapPoint,
}

impl Region {
    /// (x0, x1, y0, y1), the smaller first.
    pub fn bounds(&self) -> (f32, f32, f32, f32) {
        let (a, c) = (self.anchor, self.corner);
        (a.x.min(c.x), a.x.max(c.x), a.y.min(c.y), a.y.max(c.y))
    }

    pub fn contains(&self, x: f32, y: f32) -> bool {
        let (x0, x1, y0, y1) = self.bounds();
        (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
    }
}

/// Arrow presses across the visible width (and half as many down the height) that take
/// the free corner from one edge of the map to the other.
const KEY_STEPS: f32 = 40.0;

impl App {
    /// `v`: a rectangle starts at the cursor's image (the map's centre without one); the
    /// arrows then move its free corner.
    pub(super) fn start_region(&mut self) {
        let Some((points, _)) = self.points_or_nearest() else {
            self.status = Some("no map to select from yet".into());
            return;
        };
        let at = self
            .projection
            .cursor
            .and_then(|i| points.rows().into_iter().nth(i as usize))
            .map(|p| (p[0], p[1]))
            .or(self.projection.centre)
            .unwrap_or_else(|| super::views::projection::data_centre(points));
        let start = MapPoint { x: at.0, y: at.1 };
        self.projection.region = Some(Region {
            anchor: start,
            corner: start,
        });
        self.overlay = Some(Overlay::Select);
    }

    /// Moves the free corner by (dx, dy) key steps (y down, as the arrows).
    pub(super) fn grow_region(&mut self, dx: i32, dy: i32) {
        let (Some(region), Some((points, _))) = (self.projection.region, self.points_or_nearest())
        else {
            return;
        };
        let (x0, x1, y0, y1) = super::views::projection::bounds(points);
        let zoom = self.projection.zoom.max(1.0);
        let (sx, sy) = (
            (x1 - x0) / zoom / KEY_STEPS,
            (y1 - y0) / zoom / (KEY_STEPS / 2.0),
        );
        let corner = MapPoint {
            x: region.corner.x + dx as f32 * sx,
            y: region.corner.y - dy as f32 * sy,
        };
        self.projection.region = Some(Region { corner, ..region });
    }

    /// Enter (or the end of a drag): the images inside, as a grid of pictures; the
    /// rectangle stays drawn on the map.
    pub(super) fn confirm_region(&mut self) {
        self.projection.dragging = false;
        self.overlay = Some(Overlay::Region { selected: 0 });
        if self.region_images().is_empty() {
            self.status = Some("no images in the selected rectangle".into());
        }
    }

    /// The images the map on screen puts inside the selected rectangle, by id.
    pub fn region_images(&self) -> Vec<ImageId> {
        let (Some(region), Some((points, _))) = (self.projection.region, self.points_or_nearest())
        else {
            return vec![];
        };
        points
            .rows()
            .into_iter()
            .enumerate()
            .filter(|(_, p)| region.contains(p[0], p[1]))
            .map(|(i, _)| i as ImageId)
            .collect()
    }

    /// The mouse button went down on the map at `at`: a drag from here selects.
    pub(super) fn press_map(&mut self, at: MapPoint) {
        self.projection.press = Some(at);
    }

    /// The mouse moved with the button down: the rectangle from where it went down.
    pub(super) fn drag_map(&mut self, at: MapPoint) {
        let Some(anchor) = self.projection.press else {
            return;
        };
        if self.view != View::Projection {
            return;
        }
        self.projection.region = Some(Region { anchor, corner: at });
        self.projection.dragging = true;
        self.overlay = Some(Overlay::Select);
    }

    /// The button came up: a drag ends in the grid of what it selected.
    pub(super) fn release_map(&mut self) {
        self.projection.press = None;
        if self.projection.dragging && self.overlay == Some(Overlay::Select) {
            self.confirm_region();
        }
        self.projection.dragging = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_holds_its_edges_whichever_way_it_was_drawn() {
        let r = Region {
            anchor: MapPoint { x: 2.0, y: -1.0 },
            corner: MapPoint { x: -1.0, y: 3.0 },
        };
        assert_eq!(r.bounds(), (-1.0, 2.0, -1.0, 3.0));
        assert!(r.contains(2.0, 3.0) && r.contains(0.0, 0.0));
        assert!(!r.contains(2.1, 0.0) && !r.contains(0.0, -1.5));
    }
}
