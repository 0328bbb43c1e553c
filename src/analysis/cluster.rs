//! k-means clusters of a layer (deepViz's default is k = 30), with the images nearest each
//! centroid and each cluster's purity against the true classes.

use ndarray::{Array1, Array2, ArrayView2};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::cluster_lloyd::{Sums, assign_and_sum, seed_centroids};
use super::error::AnalysisError;
use super::kernels::{column_means, row_norms_sq, total_variance};
use crate::model::{ClassId, ImageId};

/// How many of the images nearest each centroid are kept for display.
const NEAREST_KEPT: usize = 24;
const MAX_ITERATIONS: usize = 300;

#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// Cluster of every image.
    pub assignment: Vec<u32>,
    /// k x dim.
    pub centroids: Array2<f32>,
    /// Sum of squared distances of the images to their centroids.
    pub inertia: f64,
    pub sizes: Vec<usize>,
    /// Most frequent true class in each cluster.
    pub majority: Vec<ClassId>,
    /// Fraction of each cluster's images that belong to its majority class.
    pub purity: Vec<f64>,
    /// Per cluster, its images closest to the centroid first.
    pub nearest_to_centroid: Vec<Vec<ImageId>>,
    pub iterations: usize,
}

/// scikit-learn's default tolerance: stop when the centroids moved (in total squared
/// distance) less than this fraction of the data's mean per-feature variance.
const TOLERANCE: f64 = 1e-4;

/// Mean per-feature variance of `x` (N in the denominator, as numpy's `var`), which scales
/// the stopping tolerance.
fn mean_variance(x: ArrayView2<f32>) -> f64 {
    let (n, d) = x.dim();
    if n < 2 || d == 0 {
        return 0.0;
    }
    total_variance(x, &column_means(x)) * (n - 1) as f64 / n as f64 / d as f64
}

/// Lloyd's k-means from a greedy k-means++ start (scikit-learn's algorithm, tolerance and
/// iteration cap), seeded and deterministic. With fewer images than `k`, as many clusters as
/// images are made.
pub fn kmeans(
    x: ArrayView2<f32>,
    labels: &[ClassId],
    k: usize,
    seed: u64,
) -> Result<Clusters, AnalysisError> {
    let n = x.nrows();
    if k == 0 {
        return Err(AnalysisError::BadParameter("k must be at least 1".into()));
    }
    if n == 0 {
        return Err(AnalysisError::TooFewImages { needed: 1, got: 0 });
    }
    let k = k.min(n);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let x_norms = row_norms_sq(x);
    let tolerance = TOLERANCE * mean_variance(x);
    let mut centroids = seed_centroids(x, &x_norms, k, &mut rng);
    let mut assignment = vec![0u32; n];
    let mut previous = vec![u32::MAX; n];
    let mut dists = vec![0f32; n];
    let mut iterations = 0;
    let mut settled = false;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let Sums { sums, counts } =
            assign_and_sum(x, &x_norms, &centroids, &mut assignment, &mut dists);
        if assignment == previous {
            settled = true; // the centroids are already the means of their clusters
            break;
        }
        let mut shift = 0.0;
        for (c, &count) in counts.iter().enumerate() {
            let new: Array1<f32> = if count > 0 {
                sums.row(c).mapv(|v| (v / count as f64) as f32)
            } else {
                // An empty cluster takes the image farthest from its centre.
                let far = dists
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map_or(0, |(i, _)| i);
                dists[far] = 0.0;
                x.row(far).to_owned()
            };
            shift += new
                .iter()
                .zip(centroids.row(c))
                .map(|(&a, &b)| f64::from(a - b).powi(2))
                .sum::<f64>();
            centroids.row_mut(c).assign(&new);
        }
        std::mem::swap(&mut assignment, &mut previous);
        if shift <= tolerance {
            break;
        }
    }
    if !settled {
        // Labels consistent with the final centroids, as scikit-learn leaves them.
        assign_and_sum(x, &x_norms, &centroids, &mut assignment, &mut dists);
    }
    Ok(summarise(x, labels, assignment, centroids, iterations))
}

fn summarise(
    x: ArrayView2<f32>,
    labels: &[ClassId],
    assignment: Vec<u32>,
    centroids: Array2<f32>,
    iterations: usize,
) -> Clusters {
    let k = centroids.nrows();
    let classes = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(1);
    let mut sizes = vec![0usize; k];
    let mut counts = vec![vec![0usize; classes]; k];
    let mut members: Vec<Vec<(f64, ImageId)>> = vec![Vec::new(); k];
    let mut inertia = 0.0;
    for (i, &c) in assignment.iter().enumerate() {
        let c = c as usize;
        sizes[c] += 1;
        if let Some(&l) = labels.get(i) {
            counts[c][l as usize] += 1;
        }
        // Exact distance (not the product formula) so inertia is accurate.
        let dist: f64 = x
            .row(i)
            .iter()
            .zip(centroids.row(c))
            .map(|(a, b)| f64::from(a - b).powi(2))
            .sum();
        inertia += dist;
        members[c].push((dist, i as ImageId));
    }
    let mut majority = Vec::with_capacity(k);
    let mut purity = Vec::with_capacity(k);
    for c in 0..k {
        let (best, count) = counts[c]
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .map_or((0, 0), |(l, &n)| (l, n));
        majority.push(best as ClassId);
        purity.push(if sizes[c] > 0 {
            count as f64 / sizes[c] as f64
        } else {
            0.0
        });
    }
    let nearest_to_centroid = members
        .into_iter()
        .map(|mut m| {
            m.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            m.into_iter().take(NEAREST_KEPT).map(|(_, i)| i).collect()
        })
        .collect();
    Clusters {
        assignment,
        centroids,
        inertia,
        sizes,
        majority,
        purity,
        nearest_to_centroid,
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use linfa::DatasetBase;
    use linfa::traits::{Fit, Predict};
    use rand_distr::{Distribution, Normal};

    /// `k` well-separated Gaussian blobs in 8-D, `per` points each, labelled by blob.
    fn blobs(k: usize, per: usize) -> (Array2<f32>, Vec<ClassId>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let noise = Normal::new(0.0f32, 0.5).unwrap();
        let x = Array2::from_shape_fn((k * per, 8), |(i, j)| {
            let blob = i / per;
            let centre = if j == blob % 8 {
                20.0 * (1 + blob / 8) as f32
            } else {
                0.0
            };
            centre + noise.sample(&mut rng)
        });
        (x, (0..k * per).map(|i| (i / per) as ClassId).collect())
    }

    #[test]
    fn kmeans_recovers_well_separated_blobs() {
        let (x, labels) = blobs(6, 200);
        let c = kmeans(x.view(), &labels, 6, 1).unwrap();
        assert!(c.purity.iter().all(|&p| p == 1.0), "{:?}", c.purity);
        assert_eq!(c.sizes, vec![200; 6]);
        let mut majority = c.majority.clone();
        majority.sort();
        assert_eq!(majority, (0..6).collect::<Vec<_>>());
        let first = c.nearest_to_centroid[0][0] as usize;
        assert_eq!(c.assignment[first], 0);
        assert_eq!(
            kmeans(x.view(), &labels, 6, 1).unwrap(),
            c,
            "deterministic for a seed"
        );
    }

    #[test]
    fn inertia_agrees_with_linfa_within_one_percent() {
        let (x, labels) = blobs(5, 150);
        let ours = kmeans(x.view(), &labels, 5, 3).unwrap();
        let data = DatasetBase::from(x.mapv(f64::from));
        let model =
            linfa_clustering::KMeans::params_with_rng(5, Xoshiro256PlusPlus::seed_from_u64(3))
                .fit(&data)
                .unwrap();
        let assigned = model.predict(data.records());
        let centroids = model.centroids();
        let theirs: f64 = x
            .rows()
            .into_iter()
            .zip(assigned.iter())
            .map(|(r, &c)| {
                r.iter()
                    .zip(centroids.row(c))
                    .map(|(a, b)| (f64::from(*a) - b).powi(2))
                    .sum::<f64>()
            })
            .sum();
        assert_relative_eq!(ours.inertia, theirs, max_relative = 0.01);
    }

    #[test]
    fn degenerate_inputs() {
        let x = Array2::<f32>::zeros((3, 2));
        let c = kmeans(x.view(), &[0, 0, 0], 30, 0).unwrap();
        assert_eq!(c.centroids.nrows(), 3, "no more clusters than images");
        assert_eq!(c.inertia, 0.0);
        assert!(kmeans(x.view(), &[0, 0, 0], 0, 0).is_err());
        assert!(kmeans(Array2::<f32>::zeros((0, 2)).view(), &[], 3, 0).is_err());
    }
}
