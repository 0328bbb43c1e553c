//! Alignment of one 2-D map onto another (orthogonal Procrustes), so a user stepping through
//! training sees the same cloud move rather than rotate, flip or jump.

use ndarray::{Array2, ArrayView2};

/// Moves `points` onto `reference` (same images, same order) by the similarity transform
/// (rotation or reflection, uniform scale, translation) that minimises the squared distance.
/// Used for PCA, whose scale carries no meaning of its own.
pub fn align_to(points: &mut Array2<f32>, reference: ArrayView2<f32>) {
    procrustes(points, reference, true);
}

/// Like [`align_to`] without the scale: distances within the map are kept. A t-SNE map's KL
/// divergence depends on its scale, and the KL reported with a map must be that of the
/// points the user sees.
pub fn align_rigid(points: &mut Array2<f32>, reference: ArrayView2<f32>) {
    procrustes(points, reference, false);
}

fn procrustes(points: &mut Array2<f32>, reference: ArrayView2<f32>, scale: bool) {
    let n = points.nrows();
    if n == 0 || reference.dim() != points.dim() || points.ncols() != 2 {
        return;
    }
    let mean = |m: ArrayView2<f32>| -> [f64; 2] {
        let mut s = [0.0f64; 2];
        for r in m.rows() {
            s[0] += f64::from(r[0]);
            s[1] += f64::from(r[1]);
        }
        [s[0] / n as f64, s[1] / n as f64]
    };
    let (ma, mb) = (mean(points.view()), mean(reference));
    // Cross-covariance h = Aᵀ B of the centred clouds, and A's spread.
    let mut h = [[0.0f64; 2]; 2];
    let mut spread = 0.0f64;
    for (a, b) in points.rows().into_iter().zip(reference.rows()) {
        let a = [f64::from(a[0]) - ma[0], f64::from(a[1]) - ma[1]];
        let b = [f64::from(b[0]) - mb[0], f64::from(b[1]) - mb[1]];
        for j in 0..2 {
            for k in 0..2 {
                h[j][k] += a[j] * b[k];
            }
        }
        spread += a[0] * a[0] + a[1] * a[1];
    }
    // In 2-D the best rotation [[c,-s],[s,c]] maximises c(h00+h11) + s(h01-h10), the best
    // reflection [[c,s],[s,-c]] maximises c(h00-h11) + s(h01+h10); the achieved fit is the
    // hypotenuse of each pair. Keep whichever fits better. No spread: only the centre moves.
    let (rc, rs) = (h[0][0] + h[1][1], h[0][1] - h[1][0]);
    let (fc, fs) = (h[0][0] - h[1][1], h[0][1] + h[1][0]);
    let (rot_fit, flip_fit) = (rc.hypot(rs), fc.hypot(fs));
    let (r, fit) = if rot_fit == 0.0 && flip_fit == 0.0 {
        ([[1.0, 0.0], [0.0, 1.0]], 0.0)
    } else if rot_fit >= flip_fit {
        let t = rs.atan2(rc);
        ([[t.cos(), -t.sin()], [t.sin(), t.cos()]], rot_fit)
    } else {
        let t = fs.atan2(fc);
        ([[t.cos(), t.sin()], [t.sin(), -t.cos()]], flip_fit)
    };
    let s = if scale && spread > 0.0 && fit > 0.0 {
        fit / spread
    } else {
        1.0
    };
    for mut p in points.rows_mut() {
        let a = [f64::from(p[0]) - ma[0], f64::from(p[1]) - ma[1]];
        p[0] = (s * (r[0][0] * a[0] + r[0][1] * a[1]) + mb[0]) as f32;
        p[1] = (s * (r[1][0] * a[0] + r[1][1] * a[1]) + mb[1]) as f32;
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

    /// The reference rotated by `angle`, optionally mirrored, scaled and shifted.
    fn transformed(angle: f32, mirror: bool, scale: f32, shift: [f32; 2]) -> Array2<f32> {
        let (c, s) = (angle.cos(), angle.sin());
        let mut out = reference();
        for mut p in out.rows_mut() {
            let x = if mirror { -p[0] } else { p[0] };
            let y = p[1];
            p[0] = scale * (c * x - s * y) + shift[0];
            p[1] = scale * (s * x + c * y) + shift[1];
        }
        out
    }

    fn distance(x: &Array2<f32>, i: usize, j: usize) -> f32 {
        ((x[[i, 0]] - x[[j, 0]]).powi(2) + (x[[i, 1]] - x[[j, 1]]).powi(2)).sqrt()
    }

    #[test]
    fn similarity_alignment_undoes_rotation_reflection_scale_and_shift() {
        for mirror in [false, true] {
            let mut m = transformed(0.93, mirror, 3.0, [100.0, -50.0]);
            align_to(&mut m, reference().view());
            assert_abs_diff_eq!(m, reference(), epsilon = 1e-3);
        }
    }

    #[test]
    fn rigid_alignment_undoes_rotation_mirror_and_shift() {
        for (angle, mirror) in [(1.1, false), (-2.5, true)] {
            let mut m = transformed(angle, mirror, 1.0, [7.0, -3.0]);
            align_rigid(&mut m, reference().view());
            assert_abs_diff_eq!(m, reference(), epsilon = 1e-4);
        }
    }

    #[test]
    fn rigid_alignment_keeps_distances_even_when_scaled_or_inexact() {
        let mut m = transformed(0.3, true, 2.0, [1.0, 1.0]);
        m[[4, 0]] += 2.0;
        let before = m.clone();
        align_rigid(&mut m, reference().view());
        for i in 0..5 {
            for j in 0..5 {
                assert_abs_diff_eq!(distance(&m, i, j), distance(&before, i, j), epsilon = 1e-4);
            }
        }
    }

    #[test]
    fn degenerate_maps_only_move_the_centre() {
        for scaled in [false, true] {
            let mut m = Array2::from_elem((4, 2), 2.0f32);
            procrustes(&mut m, Array2::from_elem((4, 2), -1.0f32).view(), scaled);
            assert!(m.iter().all(|&v| v == -1.0));
        }
        let mut wrong_shape = reference();
        align_to(&mut wrong_shape, Array2::zeros((3, 2)).view());
        assert_eq!(wrong_shape, reference());
    }
}
