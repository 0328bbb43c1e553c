//! Seeded data and map scores shared by the t-SNE and UMAP tests.

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

/// `n` points in `dim` dimensions from `k` unit-variance Gaussian blobs whose centres are
/// `separation` apart on the coordinate axes; labels are `i % k`.
pub fn blobs(
    n: usize,
    dim: usize,
    k: usize,
    separation: f32,
    seed: u64,
) -> (Array2<f32>, Vec<usize>) {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
    let x = Array2::from_shape_fn((n, dim), |(i, j)| {
        let noise: f32 = StandardNormal.sample(&mut rng);
        let centre = if j == labels[i] % dim {
            separation
        } else {
            0.0
        };
        centre + noise
    });
    (x, labels)
}

/// Fraction of points whose 10 nearest neighbours in the 2-D map mostly (by vote, ties to
/// the lowest label) carry the point's own label.
pub fn knn10_accuracy(points: ArrayView2<f32>, labels: &[usize]) -> f64 {
    let n = points.nrows();
    let k_classes = labels.iter().max().map_or(0, |m| m + 1);
    let mut correct = 0;
    for i in 0..n {
        let mut d: Vec<(f32, usize)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| {
                let dx = points[[i, 0]] - points[[j, 0]];
                let dy = points[[i, 1]] - points[[j, 1]];
                (dx * dx + dy * dy, j)
            })
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut votes = vec![0usize; k_classes];
        for &(_, j) in d.iter().take(10) {
            votes[labels[j]] += 1;
        }
        let best = (0..k_classes).max_by_key(|&c| (votes[c], std::cmp::Reverse(c)));
        if best == Some(labels[i]) {
            correct += 1;
        }
    }
    correct as f64 / n as f64
}

/// Mean distance a point moved between two maps, each first centred and scaled to unit
/// root-mean-square spread: the views fit a map to the screen, so only moves relative to
/// the whole map are visible to a user.
pub fn relative_displacement(a: ArrayView2<f32>, reference: ArrayView2<f32>) -> f64 {
    let a = normalised(a);
    let b = normalised(reference);
    a.iter()
        .zip(&b)
        .map(|(p, q)| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt())
        .sum::<f64>()
        / a.len() as f64
}

fn normalised(m: ArrayView2<f32>) -> Vec<[f64; 2]> {
    let n = m.nrows() as f64;
    let cx = m.column(0).iter().map(|&v| v as f64).sum::<f64>() / n;
    let cy = m.column(1).iter().map(|&v| v as f64).sum::<f64>() / n;
    let rms = (m
        .rows()
        .into_iter()
        .map(|q| (q[0] as f64 - cx).powi(2) + (q[1] as f64 - cy).powi(2))
        .sum::<f64>()
        / n)
        .sqrt()
        .max(f64::MIN_POSITIVE);
    m.rows()
        .into_iter()
        .map(|q| [(q[0] as f64 - cx) / rms, (q[1] as f64 - cy) / rms])
        .collect()
}
