//! Dense products split into row blocks run in parallel: the hot loops of PCA,
//! correlation, k-means and neighbour search. ndarray's own product is single-threaded.

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// Rows per block: large enough for the GEMM to run at full speed, small enough to spread.
const BLOCK_ROWS: usize = 2048;

/// `xᵀx` accumulated in f64 across blocks (each block's product is f32).
pub fn gram(x: ArrayView2<f32>) -> Array2<f64> {
    let d = x.ncols();
    x.axis_chunks_iter(Axis(0), BLOCK_ROWS)
        .into_par_iter()
        .map(|block| block.t().dot(&block).mapv(f64::from))
        .reduce(|| Array2::zeros((d, d)), |a, b| a + b)
}

/// `a · bᵀ`, blocks of rows of `a` in parallel.
pub fn dot_t(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
    let mut out = Array2::zeros((a.nrows(), b.nrows()));
    out.axis_chunks_iter_mut(Axis(0), BLOCK_ROWS)
        .into_par_iter()
        .zip(a.axis_chunks_iter(Axis(0), BLOCK_ROWS).into_par_iter())
        .for_each(|(mut o, a)| o.assign(&a.dot(&b.t())));
    out
}

/// Squared L2 norm of every row.
pub fn row_norms_sq(x: ArrayView2<f32>) -> Vec<f32> {
    x.axis_iter(Axis(0))
        .into_par_iter()
        .map(|r| r.dot(&r))
        .collect()
}

/// Column means in f64.
pub fn column_means(x: ArrayView2<f32>) -> Vec<f64> {
    let n = x.nrows().max(1) as f64;
    let d = x.ncols();
    let sums = x
        .axis_chunks_iter(Axis(0), BLOCK_ROWS)
        .into_par_iter()
        .map(|block| {
            let mut s = vec![0f64; d];
            for row in block.rows() {
                for (acc, &v) in s.iter_mut().zip(row) {
                    *acc += f64::from(v);
                }
            }
            s
        })
        .reduce(
            || vec![0f64; d],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    sums.into_iter().map(|s| s / n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::Array2;

    #[test]
    fn blocked_products_equal_plain_ones() {
        let a = Array2::from_shape_fn((5000, 7), |(i, j)| ((i * 31 + j * 7) % 13) as f32 - 6.0);
        let b = Array2::from_shape_fn((3, 7), |(i, j)| (i + j) as f32 * 0.5);
        let g = gram(a.view());
        let expected = a.t().dot(&a).mapv(f64::from);
        assert_abs_diff_eq!(g, expected, epsilon = 1e-3);
        assert_eq!(dot_t(a.view(), b.view()), a.dot(&b.t()));
        assert_eq!(
            row_norms_sq(b.view())[2],
            (0..7).map(|j| ((2 + j) as f32 * 0.5).powi(2)).sum::<f32>()
        );
        let means = column_means(a.view());
        assert_abs_diff_eq!(
            means[3],
            a.column(3).mapv(f64::from).mean().unwrap(),
            epsilon = 1e-9
        );
    }
}
