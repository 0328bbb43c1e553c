//! k-means clusters of a layer (deepViz's default is k = 30), with the images nearest each
//! centroid and each cluster's purity against the true classes.

use ndarray::{Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::error::AnalysisError;
use super::kernels::{dot_t, row_norms_sq};
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

/// Squared distances of every row to every centroid, via `|x|² - 2 x·c + |c|²`.
fn assign(x: ArrayView2<f32>, x_norms: &[f32], centroids: &Array2<f32>) -> (Vec<u32>, Vec<f32>) {
    let c_norms = row_norms_sq(centroids.view());
    let dots = dot_t(x, centroids.view());
    dots.axis_iter(Axis(0))
        .into_par_iter()
        .zip(x_norms.par_iter())
        .map(|(row, &xn)| {
            let mut best = (0u32, f32::INFINITY);
            for (j, (&d, &cn)) in row.iter().zip(&c_norms).enumerate() {
                let dist = (xn - 2.0 * d + cn).max(0.0);
                if dist < best.1 {
                    best = (j as u32, dist);
                }
            }
            best
        })
        .unzip()
}

/// k-means++ seeding: each next centre drawn with probability proportional to the squared
/// distance to the nearest centre chosen so far.
fn seed_centroids(x: ArrayView2<f32>, k: usize, rng: &mut Xoshiro256PlusPlus) -> Array2<f32> {
    let n = x.nrows();
    let mut centroids = Array2::zeros((k, x.ncols()));
    let first = rng.gen_range(0..n);
    centroids.row_mut(0).assign(&x.row(first));
    let sq = |a: ndarray::ArrayView1<f32>, b: ndarray::ArrayView1<f32>| -> f32 {
        a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
    };
    let mut closest: Vec<f32> = (0..n)
        .into_par_iter()
        .map(|i| sq(x.row(i), x.row(first)))
        .collect();
    for c in 1..k {
        let total: f64 = closest.iter().map(|&d| f64::from(d)).sum();
        let pick = if total > 0.0 {
            let mut target = rng.gen_range(0.0..total);
            closest
                .iter()
                .position(|&d| {
                    target -= f64::from(d);
                    target < 0.0
                })
                .unwrap_or(n - 1)
        } else {
            rng.gen_range(0..n)
        };
        centroids.row_mut(c).assign(&x.row(pick));
        let new = x.row(pick);
        closest
            .par_iter_mut()
            .enumerate()
            .for_each(|(i, d)| *d = d.min(sq(x.row(i), new)));
    }
    centroids
}

/// Lloyd's k-means from a k-means++ start, seeded and deterministic. With fewer images than
/// `k`, as many clusters as images are made.
pub fn kmeans(
    x: ArrayView2<f32>,
    labels: &[ClassId],
    k: usize,
    seed: u64,
) -> Result<Clusters, AnalysisError> {
    let (n, d) = x.dim();
    if k == 0 {
        return Err(AnalysisError::BadParameter("k must be at least 1".into()));
    }
    if n == 0 {
        return Err(AnalysisError::TooFewImages { needed: 1, got: 0 });
    }
    let k = k.min(n);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let x_norms = row_norms_sq(x);
    let mut centroids = seed_centroids(x, k, &mut rng);
    let (mut assignment, mut dists) = assign(x, &x_norms, &centroids);
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let mut sums = Array2::<f64>::zeros((k, d));
        let mut counts = vec![0usize; k];
        for (row, &c) in x.axis_iter(Axis(0)).zip(&assignment) {
            sums.row_mut(c as usize)
                .zip_mut_with(&row, |s, &v| *s += f64::from(v));
            counts[c as usize] += 1;
        }
        for (c, &count) in counts.iter().enumerate() {
            if count > 0 {
                centroids
                    .row_mut(c)
                    .assign(&sums.row(c).mapv(|v| (v / count as f64) as f32));
            } else {
                // An empty cluster takes the image farthest from its centre.
                let far = dists
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map_or(0, |(i, _)| i);
                centroids.row_mut(c).assign(&x.row(far));
                dists[far] = 0.0;
            }
        }
        let (next, next_dists) = assign(x, &x_norms, &centroids);
        let changed = next != assignment;
        assignment = next;
        dists = next_dists;
        if !changed {
            break;
        }
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
