//! Linear 2-D projections of a layer's activations.

use faer::linalg::matmul::matmul;
use faer::{Accum, Par, Side};
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use super::error::AnalysisError;
use super::kernels::{Moments, as_faer, as_faer_mut, centre_into, centred_gram, column_means};
use super::randomized_pca::top_eigenpairs;

/// Up to this width the covariance is decomposed in full; wider ones by subspace iteration
/// on the covariance itself (`randomized_pca::top_eigenpairs`), whose cost grows with
/// dim² instead of dim³.
const EXACT_MAX_DIM: usize = 128;

/// A 2-D map of the images: row `i` is image `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub points: Array2<f32>,
    /// Fraction of the total variance on each axis (PCA only).
    pub explained_variance_ratio: Option<[f64; 2]>,
}

/// The first two principal axes of one layer at one step, kept so that other steps can be
/// drawn on the same axes: then what moves on screen between steps is the data, not the axes
/// (each step's own top two directions can swap or turn from one checkpoint to the next).
#[derive(Debug, Clone, PartialEq)]
pub struct PcaBasis {
    /// The fitted images' mean, per dimension.
    pub means: Vec<f64>,
    /// dim x 2: the two unit directions, each signed so that its largest loading is positive.
    pub components: Array2<f64>,
}

impl PcaBasis {
    /// The width of the layer this basis was fitted on.
    pub fn dim(&self) -> usize {
        self.means.len()
    }

    /// `x` (N x dim) drawn on these axes, and the fraction of `x`'s own total variance that
    /// each axis carries (for the fitted step itself: the explained variance ratio).
    pub fn project(&self, x: ArrayView2<f32>) -> Result<Projection, AnalysisError> {
        let (n, d) = x.dim();
        if n == 0 {
            return Err(AnalysisError::TooFewImages { needed: 1, got: 0 });
        }
        if d != self.dim() {
            return Err(AnalysisError::Numerical(format!(
                "the layer has {d} values per image here but {} at the step whose axes are used",
                self.dim()
            )));
        }
        // The total variance is gathered by the projection's own pass over the rows.
        let (points, moments) = project(x, &self.means, &self.components, true);
        let total = moments.total_variance();
        let dof = n.saturating_sub(1).max(1) as f64;
        let ratio = [0, 1].map(|c| {
            let col = points.column(c);
            let mean = col.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
            let var = col
                .iter()
                .map(|&v| (f64::from(v) - mean).powi(2))
                .sum::<f64>()
                / dof;
            if total > 0.0 { var / total } else { 0.0 }
        });
        Ok(Projection {
            points,
            explained_variance_ratio: Some(ratio),
        })
    }
}

/// Projects `x` (N x dim) on its first two principal components.
///
/// Exact: the dim x dim covariance is one blocked syrk over every image (f64 sums), then
/// decomposed; every image is projected (no sampling). Each axis's sign is fixed so that its
/// largest loading is positive, which makes the result deterministic; `align::align_to` then
/// matches neighbours.
pub fn pca_2d(x: ArrayView2<f32>) -> Result<Projection, AnalysisError> {
    let (basis, variances, total) = fit(x)?;
    let (points, _) = project(x, &basis.means, &basis.components, false);
    let ratio = if total > 0.0 {
        [variances[0] / total, variances[1] / total]
    } else {
        [0.0, 0.0]
    };
    Ok(Projection {
        points,
        explained_variance_ratio: Some(ratio),
    })
}

/// The first two principal axes of `x` (N x dim), to draw other steps on (see [`PcaBasis`]).
pub fn pca_basis(x: ArrayView2<f32>) -> Result<PcaBasis, AnalysisError> {
    fit(x).map(|(basis, _, _)| basis)
}

/// The basis, the variance along each of its axes, and the total variance.
fn fit(x: ArrayView2<f32>) -> Result<(PcaBasis, [f64; 2], f64), AnalysisError> {
    let (n, d) = x.dim();
    if n == 0 {
        return Err(AnalysisError::TooFewImages { needed: 1, got: 0 });
    }
    let means = column_means(x);
    let dof = n.saturating_sub(1).max(1) as f64;
    let covariance = centred_gram(x, Some(&means)) / dof;
    // The total variance is the covariance's trace.
    let total: f64 = covariance.diag().sum();

    let mut components = Array2::<f64>::zeros((d, 2));
    let mut variances = [0.0; 2];
    if total > 0.0 && total.is_finite() {
        let (directions, values) = if d > EXACT_MAX_DIM {
            top_eigenpairs(covariance.view(), 2)?
        } else {
            top_two_exact(covariance.view())?
        };
        for c in 0..d.min(2) {
            components
                .column_mut(c)
                .assign(&with_positive_largest(directions.column(c).to_owned()));
            variances[c] = values[c].max(0.0);
        }
    }
    Ok((PcaBasis { means, components }, variances, total))
}

/// The top two eigenpairs of a small symmetric matrix from its full decomposition. faer's
/// rather than linfa-linalg's: at 64 x 64 linfa-linalg's took 0.7 ms, a third of a
/// 10,000 x 64 PCA, faer's about half that. Vectors as columns, values in decreasing order.
fn top_two_exact(covariance: ArrayView2<f64>) -> Result<(Array2<f64>, Vec<f64>), AnalysisError> {
    let d = covariance.nrows();
    let evd = as_faer(covariance)
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| AnalysisError::Numerical(format!("eigendecomposition failed: {e:?}")))?;
    // faer sorts the values in increasing order: the top ones are the last columns.
    let top: Vec<usize> = (0..d.min(2)).map(|c| d - 1 - c).collect();
    let vectors = Array2::from_shape_fn((d, top.len()), |(i, c)| evd.U()[(i, top[c])]);
    let values = top.iter().map(|&c| evd.S()[c]).collect();
    Ok((vectors, values))
}

/// Rows projected per task, and rows centred into the task's scratch buffer at a time.
const PROJECT_ROWS: usize = 2048;
const CENTRE_ROWS: usize = 256;

/// `(x - means) · components` for two components: blocks of rows in parallel, each centred
/// a few rows at a time into a small scratch buffer (centring keeps the f32 products free of
/// cancellation when the data sits far from the origin) and multiplied by faer's GEMM. With
/// `measure`, also the rows' moments about `means`, gathered while each block is in cache
/// (a separate pass over a 100 MB step took as long as the projection).
fn project(
    x: ArrayView2<f32>,
    means: &[f64],
    components: &Array2<f64>,
    measure: bool,
) -> (Array2<f32>, Moments) {
    let mu: Vec<f32> = means.iter().map(|&m| m as f32).collect();
    let w = components.mapv(|v| v as f32);
    let d = x.ncols();
    let moments_dim = if measure { d } else { 0 };
    let mut points = Array2::<f32>::zeros((x.nrows(), 2));
    let moments = points
        .axis_chunks_iter_mut(Axis(0), PROJECT_ROWS)
        .into_par_iter()
        .zip(x.axis_chunks_iter(Axis(0), PROJECT_ROWS))
        .map_init(
            || Array2::<f32>::zeros((CENTRE_ROWS, d)),
            |scratch, (mut out, rows)| {
                let mut moments = Moments::new(moments_dim);
                let blocks = out
                    .axis_chunks_iter_mut(Axis(0), CENTRE_ROWS)
                    .zip(rows.axis_chunks_iter(Axis(0), CENTRE_ROWS));
                for (out, block) in blocks {
                    if measure {
                        moments.add(block, &mu);
                    }
                    let centred = centre_into(scratch, block, &mu);
                    matmul(
                        as_faer_mut(out),
                        Accum::Replace,
                        as_faer(centred),
                        as_faer(w.view()),
                        1.0f32,
                        Par::Seq,
                    );
                }
                moments
            },
        )
        .reduce(|| Moments::new(moments_dim), Moments::merge);
    (points, moments)
}

/// Flips a direction so that its largest loading is positive: eigenvectors have no sign of
/// their own, and a fixed one keeps the result deterministic.
fn with_positive_largest(mut v: ndarray::Array1<f64>) -> ndarray::Array1<f64> {
    let largest = v
        .iter()
        .copied()
        .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
    if largest < 0.0 {
        v.mapv_inplace(|x| -x);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use linfa_linalg::eigh::{EigSort, EighInto};
    use ndarray::{Array2, Axis, array};
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// N points with standard deviations 5, 2 and 0.5 along three orthonormal directions.
    fn known_variance(n: usize) -> (Array2<f32>, Array2<f64>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let s = 1.0 / 2f64.sqrt();
        let dirs = array![[s, s, 0.0, 0.0], [s, -s, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]];
        let sd = [5.0, 2.0, 0.5];
        let x = Array2::from_shape_fn((n, 4), |(_, _)| 0.0f64);
        let mut x = x;
        for mut row in x.rows_mut() {
            for (k, dir) in dirs.rows().into_iter().enumerate() {
                let z = normal.sample(&mut rng) * sd[k];
                row.scaled_add(z, &dir);
            }
            row[3] += 10.0; // an offset, removed by centring
        }
        (x.mapv(|v| v as f32), dirs)
    }

    #[test]
    fn pca_finds_the_known_variance_directions() {
        let (x, dirs) = known_variance(20_000);
        let p = pca_2d(x.view()).unwrap();
        let [r1, r2] = p.explained_variance_ratio.unwrap();
        let total = 25.0 + 4.0 + 0.25;
        assert_abs_diff_eq!(r1, 25.0 / total, epsilon = 0.02);
        assert_abs_diff_eq!(r2, 4.0 / total, epsilon = 0.01);
        // The first axis is the projection on the first direction (up to sign).
        let xs = x.mapv(f64::from);
        let truth = (&xs - &xs.mean_axis(Axis(0)).unwrap()).dot(&dirs.row(0));
        let got = p.points.column(0).mapv(f64::from);
        let corr = truth.dot(&got) / (truth.dot(&truth).sqrt() * got.dot(&got).sqrt());
        assert!(corr.abs() > 0.999, "{corr}");
    }

    /// PCA written out plainly in f64: centred copy, full covariance, full eigendecomposition.
    fn plain_pca(x: &Array2<f32>) -> ([f64; 2], Array2<f64>) {
        let x64 = x.mapv(f64::from);
        let c = &x64 - &x64.mean_axis(Axis(0)).unwrap();
        let cov = c.t().dot(&c) / (x.nrows() - 1) as f64;
        let total = cov.diag().sum();
        let (values, vectors) = cov.eigh_into().unwrap().sort_eig_desc();
        let points = c.dot(&vectors.slice(ndarray::s![.., ..2]));
        ([values[0] / total, values[1] / total], points)
    }

    /// N x dim with a slowly decaying spectrum, mixed, and far from the origin.
    fn decaying(n: usize, dim: usize) -> Array2<f32> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let normal = Normal::new(0.0f32, 1.0).unwrap();
        let z = Array2::from_shape_fn((n, dim), |(_, j)| {
            normal.sample(&mut rng) * 3.0 / (1.0 + j as f32 / 4.0)
        });
        let mix = Array2::from_shape_fn((dim, dim), |(i, j)| {
            if i == j {
                1.0
            } else {
                ((i * 7 + j * 3) % 11) as f32 * 0.01
            }
        });
        z.dot(&mix) + 50.0
    }

    #[test]
    fn explained_variance_and_points_match_plain_pca() {
        // 40 dims: the full eigendecomposition; 200: subspace iteration on the covariance.
        for dim in [40, 200] {
            let x = decaying(5000, dim);
            let (ratio, points) = plain_pca(&x);
            let p = pca_2d(x.view()).unwrap();
            let got = p.explained_variance_ratio.unwrap();
            for c in 0..2 {
                assert_abs_diff_eq!(got[c], ratio[c], epsilon = 1e-6);
                let a = p.points.column(c).mapv(f64::from);
                let b = points.column(c);
                let cos = a.dot(&b) / (a.dot(&a).sqrt() * b.dot(&b).sqrt());
                assert!(cos.abs() > 1.0 - 1e-6, "dim {dim} axis {c}: cos {cos}");
            }
        }
    }

    #[test]
    fn a_basis_draws_its_own_step_as_pca_does_and_other_steps_on_the_same_axes() {
        let x = decaying(3000, 40);
        let basis = pca_basis(x.view()).unwrap();
        let own = basis.project(x.view()).unwrap();
        let pca = pca_2d(x.view()).unwrap();
        assert_eq!(own.points, pca.points);
        let (a, b) = (
            own.explained_variance_ratio.unwrap(),
            pca.explained_variance_ratio.unwrap(),
        );
        for c in 0..2 {
            assert_abs_diff_eq!(a[c], b[c], epsilon = 1e-6);
        }
        // Another step: the same images moved by a known offset along the first axis. On
        // the fixed axes the whole cloud moves by that offset; nothing turns.
        let shift: Vec<f32> = basis
            .components
            .column(0)
            .iter()
            .map(|&v| 3.0 * v as f32)
            .collect();
        let moved = &x + &ndarray::Array1::from(shift);
        let later = basis.project(moved.view()).unwrap();
        for (p, q) in own.points.rows().into_iter().zip(later.points.rows()) {
            assert_abs_diff_eq!(q[0] - p[0], 3.0, epsilon = 1e-3);
            assert_abs_diff_eq!(q[1], p[1], epsilon = 1e-3);
        }
        let narrower = Array2::<f32>::zeros((10, 39));
        assert!(basis.project(narrower.view()).is_err());
    }

    #[test]
    fn pca_survives_degenerate_input() {
        let one = Array2::<f32>::ones((1, 3));
        assert_eq!(
            pca_2d(one.view()).unwrap().points,
            Array2::<f32>::zeros((1, 2))
        );
        let constant = Array2::<f32>::from_elem((50, 4), 3.0);
        let p = pca_2d(constant.view()).unwrap();
        assert!(p.points.iter().all(|v| *v == 0.0));
        assert_eq!(p.explained_variance_ratio, Some([0.0, 0.0]));
        let one_dim = Array2::from_shape_fn((10, 1), |(i, _)| i as f32);
        let p = pca_2d(one_dim.view()).unwrap();
        assert!(p.points.column(1).iter().all(|v| *v == 0.0));
        assert_abs_diff_eq!(p.explained_variance_ratio.unwrap()[0], 1.0, epsilon = 1e-9);
        assert!(pca_2d(Array2::<f32>::zeros((0, 3)).view()).is_err());
    }
}
