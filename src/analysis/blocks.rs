//! Block aggregation of a class matrix: when the classes outnumber the cells a screen has,
//! each cell shows the mean of the class pairs it covers, in display (dendrogram) order, so
//! the blocks of similar classes stay visible at any size.

use ndarray::{Array2, ArrayView2};

/// The bin of position `i` among `len` positions cut into `bins` equal runs.
pub fn bin_of(i: usize, len: usize, bins: usize) -> usize {
    if len == 0 || bins == 0 {
        0
    } else {
        (i * bins / len).min(bins - 1)
    }
}

/// The positions `[start, end)` that bin `b` of `bins` covers among `len` positions.
pub fn bin_range(b: usize, len: usize, bins: usize) -> (usize, usize) {
    if bins == 0 {
        return (0, 0);
    }
    // The smallest i with bin_of(i) >= b, i.e. ceil(b * len / bins).
    let first = |b: usize| (b * len).div_ceil(bins).min(len);
    (first(b), first(b + 1))
}

/// Means of `m` over the `row_bins` x `col_bins` blocks of the classes `rows` x `cols`
/// (class ids in display order; `rows[i]` falls in bin `bin_of(i, rows.len(), row_bins)`).
/// A class is never averaged with itself (its self-similarity is the trivial diagonal) and
/// non-finite values are skipped; a block with nothing left to average is NaN, which the
/// caller draws as the diagonal.
pub fn block_means(
    m: ArrayView2<f64>,
    rows: &[usize],
    cols: &[usize],
    row_bins: usize,
    col_bins: usize,
) -> Array2<f64> {
    let (row_bins, col_bins) = (row_bins.min(rows.len()), col_bins.min(cols.len()));
    let mut sum = Array2::<f64>::zeros((row_bins, col_bins));
    let mut count = Array2::<u32>::zeros((row_bins, col_bins));
    let col_bin: Vec<usize> = (0..cols.len())
        .map(|j| bin_of(j, cols.len(), col_bins))
        .collect();
    for (i, &r) in rows.iter().enumerate() {
        if r >= m.nrows() {
            continue;
        }
        let rb = bin_of(i, rows.len(), row_bins);
        let row = m.row(r);
        for (&c, &cb) in cols.iter().zip(&col_bin) {
            let v = row.get(c).copied().unwrap_or(f64::NAN);
            if c != r && v.is_finite() {
                sum[[rb, cb]] += v;
                count[[rb, cb]] += 1;
            }
        }
    }
    Array2::from_shape_fn((row_bins, col_bins), |(a, b)| {
        if count[[a, b]] == 0 {
            f64::NAN
        } else {
            sum[[a, b]] / f64::from(count[[a, b]])
        }
    })
}

/// The smallest and largest finite value of `m` (None when it has none): the colour range
/// of a matrix drawn with its diagonal apart.
pub fn finite_range(m: ArrayView2<f64>) -> Option<(f64, f64)> {
    m.iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn bins_cover_every_position_once_in_order() {
        for (len, bins) in [(10, 3), (2622, 79), (7, 7), (5, 2)] {
            let mut covered = 0;
            for b in 0..bins {
                let (s, e) = bin_range(b, len, bins);
                assert_eq!(s, covered, "bin {b} of {bins} over {len}");
                assert!((s..e).all(|i| bin_of(i, len, bins) == b));
                covered = e;
            }
            assert_eq!(covered, len);
        }
    }

    #[test]
    fn one_class_per_bin_keeps_the_values_and_blanks_the_diagonal() {
        let m = array![[1.0, 0.2, 0.3], [0.2, 1.0, 0.4], [0.3, 0.4, 1.0]];
        let order = [2, 0, 1];
        let b = block_means(m.view(), &order, &order, 3, 3);
        assert!(b[[0, 0]].is_nan() && b[[1, 1]].is_nan() && b[[2, 2]].is_nan());
        assert_eq!(b[[0, 1]], 0.3, "row class 2, column class 0");
        assert_eq!(b[[1, 2]], 0.2);
        assert_eq!(b[[2, 0]], 0.4);
    }

    #[test]
    fn two_super_classes_become_a_two_by_two_block_matrix() {
        // Classes 0, 2, 4 form one group (0.8 inside), 1, 3, 5 the other (0.6 inside),
        // 0.1 across; interleaved ids, grouped by the display order.
        let m = Array2::from_shape_fn((6, 6), |(i, j)| match (i == j, i % 2 == j % 2) {
            (true, _) => 1.0,
            (false, true) if i % 2 == 0 => 0.8,
            (false, true) => 0.6,
            (false, false) => 0.1,
        });
        let order = [0, 2, 4, 1, 3, 5];
        let b = block_means(m.view(), &order, &order, 2, 2);
        // The diagonal 1.0 is left out of the means.
        assert!((b[[0, 0]] - 0.8).abs() < 1e-12, "{b}");
        assert!((b[[1, 1]] - 0.6).abs() < 1e-12);
        assert!((b[[0, 1]] - 0.1).abs() < 1e-12 && (b[[1, 0]] - 0.1).abs() < 1e-12);
        let (lo, hi) = finite_range(b.view()).unwrap();
        assert!((lo - 0.1).abs() < 1e-12 && (hi - 0.8).abs() < 1e-12);
    }

    #[test]
    fn uneven_bins_a_window_and_bad_values() {
        let mut m = Array2::from_shape_fn((5, 5), |(i, j)| (i * 5 + j) as f64);
        m[[3, 4]] = f64::NAN;
        // Rows 3, 4 in one bin; columns 0..5 in bins {0, 1, 2}, {3, 4}.
        let b = block_means(m.view(), &[3, 4], &[0, 1, 2, 3, 4], 1, 2);
        assert_eq!(b.dim(), (1, 2));
        assert_eq!(b[[0, 0]], (15.0 + 16.0 + 17.0 + 20.0 + 21.0 + 22.0) / 6.0);
        // (3,3) and (4,4) are the diagonal, (3,4) is NaN: only (4,3) = 23 is left.
        assert_eq!(b[[0, 1]], 23.0);
        assert_eq!(
            finite_range(Array2::from_elem((2, 2), f64::NAN).view()),
            None
        );
        // More bins than classes: one bin per class.
        assert_eq!(block_means(m.view(), &[0], &[1], 4, 4).dim(), (1, 1));
    }
}
