//! Dense products at BLAS speed: the hot loops of PCA, correlation, k-means and neighbour
//! search. faer's GEMM (AVX-512 or AVX2 kernels chosen at run time) does the arithmetic;
//! ndarray arrays are lent to it without copies. Sums over many rows are formed in f32
//! blocks and accumulated in f64, so long columns keep their precision.

// faer takes views as raw parts: the two conversions below are the only unsafe code, each
// with its SAFETY note.
#![allow(unsafe_code)]

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{BlockStructure, matmul as tri_matmul};
use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, s};
use rayon::prelude::*;

/// Rows per f32 product before the running sum moves to f64: the f32 error stays that of a
/// 512-term sum (about 1e-6 relative) whatever N is.
const F64_FLUSH_ROWS: usize = 512;
/// Rows centred into a scratch buffer at a time (small enough to stay in L2 while packed).
const CENTRE_ROWS: usize = 256;

/// An ndarray view as a faer matrix (same memory, any strides).
pub(crate) fn as_faer<T>(a: ArrayView2<'_, T>) -> MatRef<'_, T> {
    let [rs, cs] = [a.strides()[0], a.strides()[1]];
    // SAFETY: the pointer, shape and strides come from a live view that outlives the result.
    unsafe { MatRef::from_raw_parts(a.as_ptr(), a.nrows(), a.ncols(), rs, cs) }
}

/// A mutable ndarray view as a faer matrix.
pub(crate) fn as_faer_mut<T>(mut a: ArrayViewMut2<'_, T>) -> MatMut<'_, T> {
    let [rs, cs] = [a.strides()[0], a.strides()[1]];
    let (r, c) = a.dim();
    // SAFETY: as above, and the view is borrowed mutably for the result's lifetime.
    unsafe { MatMut::from_raw_parts_mut(a.as_mut_ptr(), r, c, rs, cs) }
}

/// `out = a · bᵀ` on the calling thread (callers parallelise over blocks themselves).
pub(crate) fn dot_t_into(out: ArrayViewMut2<f32>, a: ArrayView2<f32>, b: ArrayView2<f32>) {
    matmul(
        as_faer_mut(out),
        Accum::Replace,
        as_faer(a),
        as_faer(b.t()),
        1.0f32,
        Par::Seq,
    );
}

/// `a · bᵀ`, all threads.
pub fn dot_t(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
    let mut out = Array2::zeros((a.nrows(), b.nrows()));
    matmul(
        as_faer_mut(out.view_mut()),
        Accum::Replace,
        as_faer(a),
        as_faer(b.t()),
        1.0f32,
        Par::rayon(0),
    );
    out
}

/// `xᵀx` (dim x dim), f32 products accumulated in f64.
pub fn gram(x: ArrayView2<f32>) -> Array2<f64> {
    centred_gram(x, None)
}

/// `(x - means)ᵀ(x - means)` without forming the centred copy: each thread centres a few
/// rows at a time into a scratch buffer and adds their lower-triangle product (syrk) to its
/// own sum. Symmetric result.
pub fn centred_gram(x: ArrayView2<f32>, means: Option<&[f64]>) -> Array2<f64> {
    let (n, d) = x.dim();
    let means32: Option<Vec<f32>> = means.map(|m| m.iter().map(|&v| v as f32).collect());
    let threads = rayon::current_num_threads().clamp(1, n.div_ceil(CENTRE_ROWS).max(1));
    let per = n.div_ceil(threads).max(1);
    let partial: Vec<Array2<f64>> = (0..threads)
        .into_par_iter()
        .map(|t| {
            let rows = x.slice(s![(t * per).min(n)..((t + 1) * per).min(n), ..]);
            vectorised(lower_gram_f64, (rows, means32.as_deref()))
        })
        .collect();
    let mut total = Array2::<f64>::zeros((d, d));
    for p in partial {
        total += &p;
    }
    for i in 0..d {
        for j in 0..i {
            total[[j, i]] = total[[i, j]];
        }
    }
    total
}

/// One thread's share: the lower triangle of the (centred) gram of `rows`.
#[inline(always)]
fn lower_gram_f64((rows, means): (ArrayView2<f32>, Option<&[f32]>)) -> Array2<f64> {
    let d = rows.ncols();
    let mut acc = Array2::<f64>::zeros((d, d));
    let mut part = Array2::<f32>::zeros((d, d));
    let mut scratch = Array2::<f32>::zeros((if means.is_some() { CENTRE_ROWS } else { 0 }, d));
    for flush in rows.axis_chunks_iter(Axis(0), F64_FLUSH_ROWS) {
        let mut beta = Accum::Replace;
        for block in flush.axis_chunks_iter(Axis(0), CENTRE_ROWS) {
            match means {
                Some(m) => {
                    let buf = centre_into(&mut scratch, block, m);
                    add_lower_product(&mut part, buf, beta);
                }
                None => add_lower_product(&mut part, block, beta),
            }
            beta = Accum::Add;
        }
        // Whole rows as one flat slice (the upper triangle is zeros) so that the loop
        // vectorises: row by row up to the diagonal it stayed scalar, 17% of a 200,000 x 512
        // PCA.
        let (a, p) = (acc.as_slice_mut(), part.as_slice());
        a.expect("owned arrays are contiguous")
            .iter_mut()
            .zip(p.expect("owned arrays are contiguous"))
            .for_each(|(a, &v)| *a += f64::from(v));
    }
    acc
}

/// `block - means`, row by row, in the first rows of `scratch` (at least as many rows as
/// `block`, as many columns); returns that part of `scratch`.
pub(crate) fn centre_into<'s>(
    scratch: &'s mut Array2<f32>,
    block: ArrayView2<f32>,
    means: &[f32],
) -> ArrayView2<'s, f32> {
    let centre = |o: &mut [f32], r: &[f32]| {
        o.iter_mut()
            .zip(r)
            .zip(means)
            .for_each(|((o, &v), &mu)| *o = v - mu)
    };
    // On slices the loop vectorises; through ndarray's element iterators it took a quarter
    // of a 200,000 x 512 PCA.
    for (o, r) in scratch.rows_mut().into_iter().zip(block.rows()) {
        let o = o.into_slice().expect("scratch rows are contiguous");
        match r.as_slice() {
            Some(r) => centre(o, r),
            None => centre(o, &r.to_vec()),
        }
    }
    scratch.slice(s![..block.nrows(), ..])
}

/// `part (+)= blockᵀ block`, lower triangle only (syrk), on the calling thread.
fn add_lower_product(part: &mut Array2<f32>, block: ArrayView2<f32>, beta: Accum) {
    tri_matmul(
        as_faer_mut(part.view_mut()),
        BlockStructure::TriangularLower,
        beta,
        as_faer(block.t()),
        BlockStructure::Rectangular,
        as_faer(block),
        BlockStructure::Rectangular,
        1.0f32,
        Par::Seq,
    );
}

/// `f(args)` compiled for the widest vector instructions the CPU offers (AVX2 and FMA on
/// x86-64, chosen at run time by pulp, faer's SIMD layer): the release build targets
/// baseline x86-64 (SSE2) so that it runs anywhere, which leaves the kernels' own loops
/// (centring, f64 sums, projections) at 128-bit vectors. `f` must be a function marked
/// `#[inline(always)]`, not a closure, so that it is compiled inside pulp's copy.
pub(crate) fn vectorised<A, R>(f: impl FnOnce(A) -> R, args: A) -> R {
    struct Op<F, A>(F, A);
    impl<F: FnOnce(A) -> R, A, R> pulp::WithSimd for Op<F, A> {
        type Output = R;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _simd: S) -> R {
            (self.0)(self.1)
        }
    }
    pulp::Arch::new().dispatch(Op(f, args))
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
        .axis_chunks_iter(Axis(0), F64_FLUSH_ROWS)
        .into_par_iter()
        .map(|block| vectorised(block_sums, block))
        .reduce(
            || vec![0f64; d],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    sums.into_iter().map(|s| s / n).collect()
}

/// Column sums of `block` in f64, from f32 partial sums over runs of 64 rows.
#[inline(always)]
fn block_sums(block: ArrayView2<f32>) -> Vec<f64> {
    let d = block.ncols();
    let mut s = vec![0f64; d];
    let mut part = vec![0f32; d];
    for (i, row) in block.rows().into_iter().enumerate() {
        match row.as_slice() {
            Some(r) => part.iter_mut().zip(r).for_each(|(p, &v)| *p += v),
            None => part.iter_mut().zip(row).for_each(|(p, &v)| *p += v),
        }
        if i % 64 == 63 {
            s.iter_mut().zip(&mut part).for_each(|(a, p)| {
                *a += f64::from(*p);
                *p = 0.0;
            });
        }
    }
    s.iter_mut()
        .zip(&part)
        .for_each(|(a, &p)| *a += f64::from(p));
    s
}

/// The sum of the columns' variances (N - 1 in the denominator), in one parallel pass. The
/// values are taken relative to `shift` (near the column means, e.g. another step's), so
/// that the sums of squares do not cancel.
pub fn total_variance(x: ArrayView2<f32>, shift: &[f64]) -> f64 {
    let d = x.ncols();
    if shift.len() != d {
        return 0.0;
    }
    let mu: Vec<f32> = shift.iter().map(|&m| m as f32).collect();
    x.axis_chunks_iter(Axis(0), F64_FLUSH_ROWS)
        .into_par_iter()
        .map(|block| {
            let mut m = Moments::new(d);
            m.add(block, &mu);
            m
        })
        .reduce(|| Moments::new(d), Moments::merge)
        .total_variance()
}

/// Per-column sums and sums of squares of rows taken relative to a shift, gathered block by
/// block (so a pass that already reads the rows, such as a projection, gets them while the
/// rows are in cache): partial sums in f32 over runs of 64 rows, then f64, as in
/// [`column_means`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Moments {
    rows: usize,
    sums: Vec<f64>,
    squares: Vec<f64>,
}

impl Moments {
    pub(crate) fn new(dim: usize) -> Moments {
        Moments {
            rows: 0,
            sums: vec![0.0; dim],
            squares: vec![0.0; dim],
        }
    }

    /// Adds the rows of `block - shift`.
    pub(crate) fn add(&mut self, block: ArrayView2<f32>, shift: &[f32]) {
        let d = self.sums.len();
        let (mut p1, mut p2) = (vec![0f32; d], vec![0f32; d]);
        let shift = &shift[..d];
        let add = |p1: &mut [f32], p2: &mut [f32], row: &[f32]| {
            // Indexed over equal-length slices: this form vectorises (a zip of four
            // iterators did not, and took a third of a step change).
            let (p1, p2, row) = (&mut p1[..d], &mut p2[..d], &row[..d]);
            for j in 0..d {
                let c = row[j] - shift[j];
                p1[j] += c;
                p2[j] += c * c;
            }
        };
        for run in block.axis_chunks_iter(Axis(0), 64) {
            for row in run.rows() {
                match row.as_slice() {
                    Some(r) => add(&mut p1, &mut p2, r),
                    None => add(&mut p1, &mut p2, &row.to_vec()),
                }
            }
            for (total, part) in [(&mut self.sums, &mut p1), (&mut self.squares, &mut p2)] {
                total.iter_mut().zip(part.iter_mut()).for_each(|(a, p)| {
                    *a += f64::from(*p);
                    *p = 0.0;
                });
            }
        }
        self.rows += block.nrows();
    }

    /// Both sets of rows.
    pub(crate) fn merge(mut self, other: Moments) -> Moments {
        self.rows += other.rows;
        self.sums
            .iter_mut()
            .zip(other.sums)
            .for_each(|(a, b)| *a += b);
        self.squares
            .iter_mut()
            .zip(other.squares)
            .for_each(|(a, b)| *a += b);
        self
    }

    /// The sum of the columns' variances (N - 1 in the denominator); 0 below two rows.
    pub(crate) fn total_variance(&self) -> f64 {
        if self.rows < 2 {
            return 0.0;
        }
        let n = self.rows as f64;
        let spread: f64 = self
            .sums
            .iter()
            .zip(&self.squares)
            .map(|(&s1, &s2)| (s2 - s1 * s1 / n).max(0.0))
            .sum();
        spread / (n - 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::Array2;

    #[test]
    fn total_variance_is_the_sum_of_column_variances_whatever_the_shift() {
        let x = Array2::from_shape_fn((3001, 5), |(i, j)| {
            1000.0 + ((i * 37 + j * 11) % 101) as f32 * 0.5 - j as f32
        });
        let x64 = x.mapv(f64::from);
        let plain: f64 = (0..5).map(|j| x64.column(j).var(1.0)).sum();
        for shift in [column_means(x.view()), vec![990.0; 5]] {
            assert_abs_diff_eq!(
                total_variance(x.view(), &shift),
                plain,
                epsilon = 1e-6 * plain
            );
        }
        assert_eq!(total_variance(x.view(), &[0.0; 4]), 0.0);
    }

    #[test]
    fn blocked_products_equal_plain_ones() {
        let a = Array2::from_shape_fn((5000, 7), |(i, j)| ((i * 31 + j * 7) % 13) as f32 - 6.0);
        let b = Array2::from_shape_fn((3, 7), |(i, j)| (i + j) as f32 * 0.5);
        let g = gram(a.view());
        let expected = a.mapv(f64::from).t().dot(&a.mapv(f64::from));
        assert_abs_diff_eq!(g, expected, epsilon = 1e-3);
        assert_eq!(dot_t(a.view(), b.view()), a.dot(&b.t()));
        // A strided view (every other row, reversed columns) is read correctly.
        let strided = a.slice(s![..;2, ..;-1]);
        assert_eq!(dot_t(strided, b.view()), strided.dot(&b.t()));
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

    #[test]
    fn centred_gram_equals_the_centred_product_in_f64() {
        // An offset far larger than the spread: centring must happen before the product.
        let x = Array2::from_shape_fn((3001, 33), |(i, j)| {
            1000.0 + ((i * 17 + j * 5) % 23) as f32 * 0.25 - (j as f32)
        });
        let means = column_means(x.view());
        let got = centred_gram(x.view(), Some(&means));
        let x64 = x.mapv(f64::from);
        let mu = x64.mean_axis(Axis(0)).unwrap();
        let c = &x64 - &mu;
        let expected = c.t().dot(&c);
        // f32 products over 512-row blocks: about 1e-6 of the largest entry.
        let scale = expected.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() <= 4e-6 * scale, "{g} vs {e}");
        }
        assert_eq!(got, got.t());
    }
}
