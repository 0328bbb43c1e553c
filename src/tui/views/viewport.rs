//! Where the map's points land on screen: the bounding box of a layout, and the viewport
//! that turns map coordinates into braille dots and back (the projection draws with one,
//! its hit tests and the rectangle selection read the same).

use ndarray::Array2;

/// Centre of the points' bounding box.
pub fn data_centre(points: &Array2<f32>) -> (f32, f32) {
    let (x0, x1, y0, y1) = bounds(points);
    ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
}

/// The bounding box (x0, x1, y0, y1) of the points.
pub fn bounds(points: &Array2<f32>) -> (f32, f32, f32, f32) {
    let mut b = (
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
    );
    for p in points.rows() {
        b = (b.0.min(p[0]), b.1.max(p[0]), b.2.min(p[1]), b.3.max(p[1]));
    }
    if !b.0.is_finite() {
        return (-1.0, 1.0, -1.0, 1.0);
    }
    b
}

/// Maps data coordinates to dot coordinates of a `w` x `h` dot canvas.
pub struct Viewport {
    cx: f32,
    cy: f32,
    half_w: f32,
    half_h: f32,
    w: usize,
    h: usize,
}

impl Viewport {
    pub fn new(
        points: &Array2<f32>,
        zoom: f32,
        centre: Option<(f32, f32)>,
        w: usize,
        h: usize,
    ) -> Viewport {
        let (x0, x1, y0, y1) = bounds(points);
        let (cx, cy) = centre.unwrap_or(((x0 + x1) / 2.0, (y0 + y1) / 2.0));
        let margin = 1.05 / zoom.max(1.0);
        let half_w = ((x1 - x0) / 2.0 * margin).max(1e-6);
        let half_h = ((y1 - y0) / 2.0 * margin).max(1e-6);
        Viewport {
            cx,
            cy,
            half_w,
            half_h,
            w,
            h,
        }
    }

    /// The dot a map point falls on, as fractional dot coordinates (outside the canvas
    /// too: below 0 or past its size).
    pub fn dot_f(&self, x: f32, y: f32) -> (f32, f32) {
        let u = (x - self.cx) / self.half_w * 0.5 + 0.5;
        let v = 0.5 - (y - self.cy) / self.half_h * 0.5;
        (u * self.w as f32, v * self.h as f32)
    }

    /// The dot a map point falls on, if on the canvas.
    pub fn dot(&self, x: f32, y: f32) -> Option<(usize, usize)> {
        let (u, v) = self.dot_f(x, y);
        if !(0.0..self.w as f32).contains(&u) || !(0.0..self.h as f32).contains(&v) {
            return None;
        }
        Some((u as usize, v as usize))
    }

    /// The map point at fractional dot coordinates: the inverse of [`Viewport::dot_f`].
    pub fn point(&self, u: f32, v: f32) -> (f32, f32) {
        let (u, v) = (u / self.w.max(1) as f32, v / self.h.max(1) as f32);
        (
            self.cx + (u - 0.5) * 2.0 * self.half_w,
            self.cy - (v - 0.5) * 2.0 * self.half_h,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn points_and_dots_round_trip() {
        let points = array![[0.0f32, 0.0], [10.0, 4.0]];
        let v = Viewport::new(&points, 1.0, None, 80, 40);
        let (u, w) = v.dot_f(7.5, 1.0);
        let (x, y) = v.point(u, w);
        assert!((x - 7.5).abs() < 1e-4 && (y - 1.0).abs() < 1e-4);
        // Up on the map is up on screen.
        assert!(v.dot_f(5.0, 4.0).1 < v.dot_f(5.0, 0.0).1);
    }
}
