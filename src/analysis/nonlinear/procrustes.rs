//! Rigid alignment of one 2-D map onto another (orthogonal Procrustes, no scaling).
//!
//! Scaling is left out on purpose: a t-SNE map's KL divergence depends on its scale, and the
//! KL reported with a map must be that of the points the user sees.
//! (The projection module's `align_to` may allow a uniform scale for PCA; the two can be
//! merged once both are on main.)

use ndarray::{Array2, ArrayView2};

/// Rotates or mirrors `points` and moves them so they lie as close as possible (least
/// squares over rows) to `reference`, row i onto row i. Rows must match; a reference or
/// map without spread leaves the orientation unchanged and only matches the centres.
pub fn align_rigid(points: &mut Array2<f32>, reference: ArrayView2<f32>) {
    let n = points.nrows();
    if n == 0 || reference.nrows() != n || points.ncols() != 2 || reference.ncols() != 2 {
        return;
    }
    let mean = |m: ArrayView2<f32>| -> [f64; 2] {
        let mut s = [0.0f64; 2];
        for r in m.rows() {
            s[0] += r[0] as f64;
            s[1] += r[1] as f64;
        }
        [s[0] / n as f64, s[1] / n as f64]
    };
    let ma = mean(points.view());
    let mb = mean(reference);
    // h[j][k] = sum over rows of a_j * b_k, with a and b centred.
    let mut h = [[0.0f64; 2]; 2];
    for (a, b) in points.rows().into_iter().zip(reference.rows()) {
        let a = [a[0] as f64 - ma[0], a[1] as f64 - ma[1]];
        let b = [b[0] as f64 - mb[0], b[1] as f64 - mb[1]];
        for j in 0..2 {
            for k in 0..2 {
                h[j][k] += a[j] * b[k];
            }
        }
    }
    // Best rotation [[c,-s],[s,c]] maximises c(h00+h11) + s(h01-h10); best reflection
    // [[c,s],[s,-c]] maximises c(h00-h11) + s(h01+h10). Keep whichever fits better.
    let (rc, rs) = (h[0][0] + h[1][1], h[0][1] - h[1][0]);
    let (fc, fs) = (h[0][0] - h[1][1], h[0][1] + h[1][0]);
    let rot_fit = rc.hypot(rs);
    let flip_fit = fc.hypot(fs);
    let r = if rot_fit == 0.0 && flip_fit == 0.0 {
        [[1.0, 0.0], [0.0, 1.0]]
    } else if rot_fit >= flip_fit {
        let t = rs.atan2(rc);
        [[t.cos(), -t.sin()], [t.sin(), t.cos()]]
    } else {
        let t = fs.atan2(fc);
        [[t.cos(), t.sin()], [t.sin(), -t.cos()]]
    };
    for mut p in points.rows_mut() {
        let a = [p[0] as f64 - ma[0], p[1] as f64 - ma[1]];
        p[0] = (r[0][0] * a[0] + r[0][1] * a[1] + mb[0]) as f32;
        p[1] = (r[1][0] * a[0] + r[1][1] * a[1] + mb[1]) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    fn reference() -> Array2<f32> {
        array![[0.0, 0.0], [3.0, 0.0], [3.0, 1.0], [0.0, 2.0], [-1.0, 5.0]]
    }

    fn transformed(angle: f32, mirror: bool, shift: [f32; 2]) -> Array2<f32> {
        let (c, s) = (angle.cos(), angle.sin());
        let mut out = reference();
        for mut p in out.rows_mut() {
            let x = if mirror { -p[0] } else { p[0] };
            let y = p[1];
            p[0] = c * x - s * y + shift[0];
            p[1] = s * x + c * y + shift[1];
        }
        out
    }

    #[test]
    fn undoes_a_rotation_and_shift() {
        let mut m = transformed(1.1, false, [7.0, -3.0]);
        align_rigid(&mut m, reference().view());
        for (a, b) in m.iter().zip(reference().iter()) {
            assert_abs_diff_eq!(a, b, epsilon = 1e-4);
        }
    }

    #[test]
    fn undoes_a_mirror_image() {
        let mut m = transformed(-2.5, true, [0.5, 4.0]);
        align_rigid(&mut m, reference().view());
        for (a, b) in m.iter().zip(reference().iter()) {
            assert_abs_diff_eq!(a, b, epsilon = 1e-4);
        }
    }

    #[test]
    fn keeps_distances_when_the_fit_is_inexact() {
        let mut m = transformed(0.3, true, [1.0, 1.0]);
        m[[4, 0]] += 2.0;
        let before = m.clone();
        align_rigid(&mut m, reference().view());
        let d = |x: &Array2<f32>, i: usize, j: usize| {
            ((x[[i, 0]] - x[[j, 0]]).powi(2) + (x[[i, 1]] - x[[j, 1]]).powi(2)).sqrt()
        };
        for i in 0..5 {
            for j in 0..5 {
                assert_abs_diff_eq!(d(&m, i, j), d(&before, i, j), epsilon = 1e-4);
            }
        }
    }

    #[test]
    fn degenerate_maps_only_move_the_centre() {
        let mut m = Array2::from_elem((4, 2), 2.0f32);
        align_rigid(&mut m, Array2::from_elem((4, 2), -1.0f32).view());
        assert!(m.iter().all(|&v| v == -1.0));
    }
}
