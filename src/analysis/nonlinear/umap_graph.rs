//! UMAP's fuzzy neighbour graph, built as umap-learn builds it: each image's nearest
//! neighbours (exactly for small layers, by NN-descent above), a membership strength per
//! neighbour from a bandwidth fitted per image, and the fuzzy union of the two directions.
//!
//! manifolds-rs's `construct_umap_graph` is not used as a whole, because it departs from
//! umap-learn in two ways that change the map's work and look: it takes `n_neighbors`
//! neighbours besides the image itself (umap-learn counts the image among them), and it fits
//! the bandwidths to ln(k) where umap-learn uses log2(k). At 50,000 x 64 its graph held 32%
//! less weight than umap-learn's (so a third fewer edge samples in the layout); this one is
//! within 0.2% of umap-learn's in edges and total weight. The search, the membership
//! strengths, the union and the pruning are still manifolds-rs's and ann-search-rs's.

use ann_search_rs::prelude::{AnnSearchErrors, NNDescentKnnParams, Verbosity};
use manifolds_rs::data::graph::{filter_weak_edges, knn_to_coo, symmetrise_graph};
use manifolds_rs::prelude::CoordinateList;

use crate::analysis::AnalysisError;

/// Up to this many images neighbours are found exactly, above by NN-descent (as umap-learn).
const EXACT_NEIGHBOURS_MAX: usize = 4_096;

/// Bisection steps and tolerance of the bandwidth fit (umap-learn's 64 and 1e-5).
const BANDWIDTH_STEPS: usize = 64;
const BANDWIDTH_TOLERANCE: f32 = 1e-5;

/// Smallest bandwidth, as a fraction of the mean neighbour distance (umap-learn's
/// MIN_K_DIST_SCALE), so a row of near-duplicates does not get a vanishing one.
const MIN_BANDWIDTH_SCALE: f32 = 1e-3;

/// Neighbours of every image: `indices[i]` nearest first, `distances[i]` Euclidean.
pub(super) struct Neighbours {
    pub indices: Vec<Vec<usize>>,
    pub distances: Vec<Vec<f32>>,
}

/// The fuzzy graph for `neighbours` neighbours per image in umap-learn's sense (the image
/// itself counted), of the rows of `data` (N x dim, row-major), with the edges too weak to
/// be sampled in `epochs` epochs dropped.
pub(super) fn fuzzy_graph(
    data: &[f32],
    dim: usize,
    neighbours: usize,
    epochs: usize,
    seed: u64,
) -> Result<CoordinateList<f32>, AnalysisError> {
    let n = data.len() / dim.max(1);
    let found = nearest(data, n, dim, neighbours - 1, seed)?;
    let (sigmas, rhos) = bandwidths(&found.distances, neighbours);
    let graph = knn_to_coo(&found.indices, &found.distances, &sigmas, &rhos);
    let graph = symmetrise_graph(graph, 1.0);
    Ok(filter_weak_edges(graph, epochs, 0))
}

/// Each image's `k` nearest other images, nearest first.
pub(super) fn nearest(
    data: &[f32],
    n: usize,
    dim: usize,
    k: usize,
    seed: u64,
) -> Result<Neighbours, AnalysisError> {
    let engine = |e: AnnSearchErrors| AnalysisError::Numerical(e.to_string());
    // Both searches give squared distances; the exhaustive one counts the image itself.
    let (rows, squared) = if n <= EXACT_NEIGHBOURS_MAX {
        let index =
            ann_search_rs::build_exhaustive_index((data, n, dim), "euclidean", Verbosity::Quiet);
        let (rows, dist) =
            ann_search_rs::query_exhaustive_self(&index, k + 1, true, Verbosity::Quiet)
                .map_err(engine)?;
        (rows, dist.unwrap_or_default())
    } else {
        let params = NNDescentKnnParams::new(k, None, None, None, 0.001, false, true);
        let graph = ann_search_rs::build_knn_graph_nndescent(
            (data, n, dim),
            "euclidean",
            Some(params),
            seed as usize,
            Verbosity::Quiet,
        )
        .map_err(engine)?;
        let width = graph.k.max(1);
        let rows = graph
            .indices
            .chunks(width)
            .map(|r| r.iter().map(|&j| j as usize).collect())
            .collect();
        let dist = graph.distances.unwrap_or_default();
        (rows, dist.chunks(width).map(<[f32]>::to_vec).collect())
    };
    let mut found = Neighbours {
        indices: Vec::with_capacity(n),
        distances: Vec::with_capacity(n),
    };
    for (i, (row, squared)) in rows.into_iter().zip(squared).enumerate() {
        // By index, not position: a duplicate image may be ranked ahead of the image itself.
        // Empty slots (NN-descent's sentinel) are past the last image.
        let (row, dist): (Vec<usize>, Vec<f32>) = row
            .into_iter()
            .zip(squared)
            .filter(|&(j, _)| j != i && j < n)
            .take(k)
            .map(|(j, d2)| (j, d2.max(0.0).sqrt()))
            .unzip();
        found.indices.push(row);
        found.distances.push(dist);
    }
    Ok(found)
}

/// Per image, the distance to its nearest neighbour (rho) and the bandwidth (sigma) at which
/// its memberships exp(-(d - rho) / sigma) sum to log2(`neighbours`): umap-learn's
/// `smooth_knn_dist` with local connectivity 1, for rows that leave the image itself out.
/// Returns (sigmas, rhos).
pub(super) fn bandwidths(distances: &[Vec<f32>], neighbours: usize) -> (Vec<f32>, Vec<f32>) {
    let target = (neighbours as f32).log2();
    let mean_all = {
        let count: usize = distances.iter().map(Vec::len).sum();
        let total: f64 = distances.iter().flatten().map(|&d| d as f64).sum();
        (total / count.max(1) as f64) as f32
    };
    distances
        .iter()
        .map(|row| {
            // The nearest neighbour at a positive distance: duplicates do not count.
            let rho = row.iter().copied().find(|&d| d > 0.0).unwrap_or(0.0);
            let membership = |sigma: f32| -> f32 {
                row.iter()
                    .map(|&d| {
                        if d > rho {
                            (-(d - rho) / sigma).exp()
                        } else {
                            1.0
                        }
                    })
                    .sum()
            };
            let (mut lo, mut hi, mut sigma) = (0.0f32, f32::INFINITY, 1.0f32);
            for _ in 0..BANDWIDTH_STEPS {
                let total = membership(sigma);
                if (total - target).abs() < BANDWIDTH_TOLERANCE {
                    break;
                }
                if total > target {
                    hi = sigma;
                    sigma = (lo + hi) / 2.0;
                } else {
                    lo = sigma;
                    sigma = if hi.is_finite() {
                        (lo + hi) / 2.0
                    } else {
                        sigma * 2.0
                    };
                }
            }
            // umap-learn's mean includes the image itself, at distance zero.
            let mean_row = row.iter().sum::<f32>() / (row.len() + 1) as f32;
            let floor = MIN_BANDWIDTH_SCALE * if rho > 0.0 { mean_row } else { mean_all };
            (sigma.max(floor), rho)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::neighbours::{Metric, nearest_many};
    use crate::model::ImageId;

    #[test]
    fn memberships_sum_to_log2_of_the_neighbours() {
        let rows = vec![
            vec![0.5, 0.9, 1.4, 2.0, 2.2, 3.1, 3.3],
            vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        ];
        let (sigmas, rhos) = bandwidths(&rows, 8);
        assert_eq!(rhos, [0.5, 1.0]);
        let sum = |row: &[f32], sigma: f32, rho: f32| -> f32 {
            row.iter()
                .map(|&d| (-(d - rho).max(0.0) / sigma).exp())
                .sum()
        };
        assert!((sum(&rows[0], sigmas[0], rhos[0]) - 3.0).abs() < 1e-4);
        // All neighbours at the same distance: every membership is 1 whatever the
        // bandwidth, so the fit cannot reach 3 and the bandwidth is merely finite.
        assert!(sigmas[1].is_finite() && sigmas[1] > 0.0);
    }

    #[test]
    fn duplicates_do_not_set_the_nearest_distance() {
        let rows = vec![vec![0.0, 0.0, 2.0, 3.0, 4.0]];
        let (sigmas, rhos) = bandwidths(&rows, 6);
        assert_eq!(rhos, [2.0]);
        assert!(sigmas[0] > 0.0);
    }

    #[test]
    fn exact_neighbours_leave_the_image_out_and_come_nearest_first() {
        // Points on a line at 0, 1, 3, 6, 10: known neighbours and distances.
        let data = [0.0f32, 1.0, 3.0, 6.0, 10.0];
        let found = nearest(&data, 5, 1, 2, 0).unwrap();
        assert_eq!(found.indices[0], [1, 2]);
        assert_eq!(found.indices[2], [1, 0]);
        assert_eq!(found.indices[4], [3, 2]);
        assert_eq!(found.distances[2], [2.0, 3.0]);
        assert_eq!(found.distances[4], [4.0, 7.0]);
    }

    #[test]
    fn nn_descent_above_the_exact_limit_finds_the_true_neighbours() {
        // 5,000 points on a jittered spiral in 3-D: NN-descent's answer against brute force.
        let n = EXACT_NEIGHBOURS_MAX + 904;
        let data: Vec<f32> = (0..n)
            .flat_map(|i| {
                let t = i as f32 * 0.01;
                let jitter = ((i * 7919) % 101) as f32 * 1e-4;
                [t.cos() * (1.0 + t), t.sin() * (1.0 + t), 0.3 * t + jitter]
            })
            .collect();
        let k = 6;
        let found = nearest(&data, n, 3, k, 7).unwrap();
        let view = ndarray::ArrayView2::from_shape((n, 3), &data).unwrap();
        let queries: Vec<ImageId> = (0..n as ImageId).step_by(7).collect();
        let exact = nearest_many(view, &queries, k, Metric::Euclidean);
        let mut hits = 0;
        for (&i, truth) in queries.iter().zip(&exact) {
            let (row, distances) = (&found.indices[i as usize], &found.distances[i as usize]);
            assert_eq!(row.len(), k);
            assert!(!row.contains(&(i as usize)));
            for (&j, &d) in row.iter().zip(distances) {
                let true_d = (&view.row(i as usize) - &view.row(j))
                    .mapv(|v| v * v)
                    .sum()
                    .sqrt();
                assert!((d - true_d).abs() < 1e-4);
            }
            hits += truth
                .iter()
                .filter(|t| row.contains(&(t.image as usize)))
                .count();
        }
        let recall = hits as f64 / (queries.len() * k) as f64;
        assert!(recall > 0.95, "recall {recall}");
    }

    #[test]
    fn graph_is_symmetric_with_weights_in_unit_range() {
        let data: Vec<f32> = (0..60).map(|i| ((i * 37) % 60) as f32 * 0.1).collect();
        let graph = fuzzy_graph(&data, 2, 5, 200, 0).unwrap();
        let edges: Vec<(usize, usize, f32)> = graph
            .row_indices
            .iter()
            .zip(&graph.col_indices)
            .zip(&graph.values)
            .map(|((&i, &j), &w)| (i, j, w))
            .collect();
        assert!(edges.iter().all(|&(i, j, w)| i != j && w > 0.0 && w <= 1.0));
        for &(i, j, w) in &edges {
            let back = edges
                .iter()
                .find(|e| e.0 == j && e.1 == i)
                .expect("reverse edge");
            assert!((back.2 - w).abs() < 1e-6);
        }
    }
}
