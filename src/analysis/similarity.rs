//! Class similarity (the "Blocks" method of Alsallakh et al., 2020) and the confusion matrix.

use ndarray::{Array2, ArrayView2, Axis, Zip};

use super::kernels::{centred_gram, column_means};
use crate::model::ClassId;

/// What the class-similarity matrix is computed from: the one list the CLI's `--source`
/// parses and the viewer's `s` cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum SimilaritySource {
    /// Correlation of logits across images, negatives clipped (the Blocks method)
    #[default]
    Logits,
    /// Confusion counts, as similarity: how often each class is taken for the other
    Confusion,
    /// Confusion without the diagonal
    ConfusionOffdiag,
    /// Cosine similarity of class-mean activations of a features layer
    Centroids,
}

impl SimilaritySource {
    pub const ALL: [SimilaritySource; 4] = [
        SimilaritySource::Logits,
        SimilaritySource::Confusion,
        SimilaritySource::ConfusionOffdiag,
        SimilaritySource::Centroids,
    ];

    /// What the matrix shows, in words (the viewer's titles).
    pub fn title(self) -> &'static str {
        match self {
            SimilaritySource::Logits => "logit correlation",
            SimilaritySource::Confusion => "confusion",
            SimilaritySource::ConfusionOffdiag => "confusion without diagonal",
            SimilaritySource::Centroids => "centroid cosine",
        }
    }

    /// The next source, for a key that cycles through them.
    pub fn next(self) -> SimilaritySource {
        let i = Self::ALL.iter().position(|&s| s == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
}

/// K x K Pearson correlation of the columns of `logits` (N x K), negative values clipped to 0:
/// `np.corrcoef(logits, rowvar=False).clip(0)`. A constant column correlates 0 with every
/// other and 1 with itself.
pub fn logit_correlation(logits: ArrayView2<f32>) -> Array2<f64> {
    let (n, k) = logits.dim();
    let means = column_means(logits);
    // Centred block by block inside the product: no N x K copy.
    let covariance = centred_gram(logits, Some(&means));
    let sd: Vec<f64> = covariance
        .diag()
        .iter()
        .map(|v| v.max(0.0).sqrt())
        .collect();
    let mut corr = Array2::zeros((k, k));
    Zip::indexed(&mut corr).par_for_each(|(i, j), c| {
        *c = if i == j {
            1.0
        } else if sd[i] > 0.0 && sd[j] > 0.0 && n > 1 {
            (covariance[[i, j]] / (sd[i] * sd[j])).clamp(0.0, 1.0)
        } else {
            0.0
        };
    });
    corr
}

/// K x K counts: row = true class, column = predicted class.
pub fn confusion_matrix(labels: &[ClassId], predicted: &[ClassId], k: usize) -> Array2<u32> {
    let mut m = Array2::zeros((k, k));
    for (&l, &p) in labels.iter().zip(predicted) {
        if (l as usize) < k && (p as usize) < k {
            m[[l as usize, p as usize]] += 1;
        }
    }
    m
}

/// K x K cosine similarity of the class means of `features` (N x dim). A class with no
/// images, or a zero mean, is similar to nothing but itself.
pub fn centroid_cosine(features: ArrayView2<f32>, labels: &[ClassId], k: usize) -> Array2<f64> {
    let d = features.ncols();
    let mut sums = Array2::<f64>::zeros((k, d));
    let mut counts = vec![0usize; k];
    for (row, &l) in features.axis_iter(Axis(0)).zip(labels) {
        if (l as usize) < k {
            sums.row_mut(l as usize)
                .zip_mut_with(&row, |s, &v| *s += f64::from(v));
            counts[l as usize] += 1;
        }
    }
    let norms: Vec<f64> = sums.rows().into_iter().map(|r| r.dot(&r).sqrt()).collect();
    let dots = sums.dot(&sums.t());
    Array2::from_shape_fn((k, k), |(i, j)| {
        if i == j {
            1.0
        } else if norms[i] > 0.0 && norms[j] > 0.0 {
            dots[[i, j]] / (norms[i] * norms[j])
        } else {
            0.0
        }
    })
}

/// A symmetric similarity in [0, 1] from confusion counts: the rate at which each class of a
/// pair is taken for the other, averaged both ways. With `diagonal`, a class is fully similar
/// to itself; without it, only confusions count.
pub fn confusion_similarity(confusion: ArrayView2<u32>, diagonal: bool) -> Array2<f64> {
    let k = confusion.nrows();
    let totals: Vec<f64> = confusion
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&v| f64::from(v)).sum())
        .collect();
    let rate = |i: usize, j: usize| {
        if totals[i] > 0.0 {
            f64::from(confusion[[i, j]]) / totals[i]
        } else {
            0.0
        }
    };
    Array2::from_shape_fn((k, k), |(i, j)| {
        if i == j {
            if diagonal { 1.0 } else { 0.0 }
        } else {
            (rate(i, j) + rate(j, i)) / 2.0
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::{Array2, array};

    /// Pearson's formula, written out in f64.
    /// Every cell of `c` is the f64 Pearson correlation of its two columns, clipped at 0, with
    /// 1 on the diagonal.
    fn assert_matches_formula(c: &Array2<f64>, logits: &Array2<f32>) {
        let col = |j: usize| {
            logits
                .column(j)
                .iter()
                .map(|&v| f64::from(v))
                .collect::<Vec<_>>()
        };
        for i in 0..logits.ncols() {
            for j in 0..logits.ncols() {
                let expected = if i == j {
                    1.0
                } else {
                    pearson(&col(i), &col(j)).max(0.0)
                };
                assert_abs_diff_eq!(c[[i, j]], expected, epsilon = 1e-5);
            }
        }
    }

    fn pearson(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    #[test]
    fn correlation_matches_the_formula_with_negatives_clipped() {
        let logits = Array2::from_shape_fn((500, 4), |(i, j)| {
            let t = i as f32 * 0.37;
            match j {
                0 => t.sin(),
                1 => t.sin() * 2.0 + (t * 3.1).cos() * 0.5,
                2 => -t.sin() + 0.1 * (t * 7.0).cos(),
                _ => (t * 1.7).cos(),
            }
        });
        let c = logit_correlation(logits.view());
        assert_matches_formula(&c, &logits);
        assert_eq!(c[[0, 2]], 0.0, "a negative correlation is clipped");
        assert!(c[[0, 1]] > 0.8);
    }

    #[test]
    fn correlation_of_many_offset_columns_matches_the_formula() {
        // Thousands of rows (several f64 flushes) and columns far from zero.
        let (n, k) = (7000, 37);
        let logits = Array2::from_shape_fn((n, k), |(i, j)| {
            let t = (i * (j + 3)) as f32 * 0.013;
            100.0 + j as f32 + t.sin() * (1.0 + j as f32 * 0.1) + ((i * 7 + j) % 13) as f32 * 0.05
        });
        assert_matches_formula(&logit_correlation(logits.view()), &logits);
    }

    #[test]
    fn constant_columns_and_single_images_give_no_nan() {
        let logits = array![[1.0f32, 5.0], [2.0, 5.0], [3.0, 5.0]];
        assert_eq!(
            logit_correlation(logits.view()),
            array![[1.0, 0.0], [0.0, 1.0]]
        );
        let one = array![[1.0f32, 2.0, 3.0]];
        assert!(logit_correlation(one.view()).iter().all(|v| v.is_finite()));
    }

    #[test]
    fn confusion_and_centroids() {
        let m = confusion_matrix(&[0, 0, 1, 2, 2], &[0, 1, 1, 2, 0], 3);
        assert_eq!(m, array![[1, 1, 0], [0, 1, 0], [1, 0, 1]]);
        let s = confusion_similarity(m.view(), false);
        assert_abs_diff_eq!(s[[0, 1]], (0.5 + 0.0) / 2.0);
        assert_abs_diff_eq!(s[[0, 2]], (0.0 + 0.5) / 2.0);
        assert_eq!(s[[1, 1]], 0.0);
        let features = array![[1.0f32, 0.0], [3.0, 0.0], [0.0, 2.0], [1.0, 1.0]];
        let c = centroid_cosine(features.view(), &[0, 0, 1, 2], 4);
        assert_abs_diff_eq!(c[[0, 1]], 0.0);
        assert_abs_diff_eq!(c[[0, 2]], 1.0 / 2f64.sqrt(), epsilon = 1e-12);
        assert_eq!(c[[3, 0]], 0.0, "an empty class is similar to nothing");
    }
}
