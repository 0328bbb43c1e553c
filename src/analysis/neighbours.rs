//! Exact nearest neighbours of an image in a layer's activation space, by brute force over
//! blocked products: exact, and fast enough to answer while the cursor moves.

use ndarray::{ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

use super::kernels::{dot_t, row_norms_sq};
use crate::model::ImageId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// 1 - cosine similarity (0 for the same direction, 2 for the opposite).
    Cosine,
    /// Euclidean (L2) distance.
    Euclidean,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Neighbour {
    pub image: ImageId,
    pub distance: f32,
}

fn distance(metric: Metric, q: ArrayView1<f32>, q_norm: f32, x: ArrayView1<f32>) -> f32 {
    match metric {
        Metric::Euclidean => q
            .iter()
            .zip(x)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt(),
        Metric::Cosine => {
            let x_norm = x.dot(&x).sqrt();
            if q_norm == 0.0 || x_norm == 0.0 {
                1.0
            } else {
                1.0 - q.dot(&x) / (q_norm * x_norm)
            }
        }
    }
}

/// Keeps the `k` nearest, ordered by distance then image id (so ties are deterministic).
fn top_k(mut all: Vec<Neighbour>, k: usize) -> Vec<Neighbour> {
    let cmp = |a: &Neighbour, b: &Neighbour| {
        a.distance
            .total_cmp(&b.distance)
            .then(a.image.cmp(&b.image))
    };
    if all.len() > k && k > 0 {
        all.select_nth_unstable_by(k - 1, cmp);
        all.truncate(k);
    }
    all.truncate(k);
    all.sort_by(cmp);
    all
}

/// The `k` images nearest to image `query` (itself excluded), among all images or only
/// among `among`. An out-of-range query has no neighbours.
pub fn nearest(
    data: ArrayView2<f32>,
    query: ImageId,
    k: usize,
    metric: Metric,
    among: Option<&[ImageId]>,
) -> Vec<Neighbour> {
    let q_index = query as usize;
    if q_index >= data.nrows() {
        return vec![];
    }
    let q = data.row(q_index);
    let q_norm = q.dot(&q).sqrt();
    let measure = |i: usize| Neighbour {
        image: i as ImageId,
        distance: distance(metric, q, q_norm, data.row(i)),
    };
    let all: Vec<Neighbour> = match among {
        Some(ids) => ids
            .par_iter()
            .map(|&i| i as usize)
            .filter(|&i| i != q_index && i < data.nrows())
            .map(measure)
            .collect(),
        None => (0..data.nrows())
            .into_par_iter()
            .filter(|&i| i != q_index)
            .map(measure)
            .collect(),
    };
    top_k(all, k)
}

/// The `k` nearest images of many queries at once (each excluded from its own list), with
/// the distances computed block by block as `|q|² - 2 q·x + |x|²` on a matrix product.
pub fn nearest_many(
    data: ArrayView2<f32>,
    queries: &[ImageId],
    k: usize,
    metric: Metric,
) -> Vec<Vec<Neighbour>> {
    let rows: Vec<usize> = queries
        .iter()
        .map(|&q| q as usize)
        .filter(|&q| q < data.nrows())
        .collect();
    let q = data.select(Axis(0), &rows);
    search(data, q.view(), k, metric, Some(&rows))
}

/// The `k` rows of `base` nearest to each row of `queries` (vectors from outside the base).
pub fn knn(
    base: ArrayView2<f32>,
    queries: ArrayView2<f32>,
    k: usize,
    metric: Metric,
) -> Vec<Vec<Neighbour>> {
    search(base, queries, k, metric, None)
}

/// Queries in blocks: each block's dot products with the whole base are one matrix product
/// (split over threads), then every query keeps its top k.
fn search(
    base: ArrayView2<f32>,
    queries: ArrayView2<f32>,
    k: usize,
    metric: Metric,
    exclude: Option<&[usize]>,
) -> Vec<Vec<Neighbour>> {
    const QUERY_BLOCK: usize = 256;
    let norms = row_norms_sq(base);
    let q_norms = row_norms_sq(queries);
    let mut out = Vec::with_capacity(queries.nrows());
    for start in (0..queries.nrows()).step_by(QUERY_BLOCK) {
        let end = (start + QUERY_BLOCK).min(queries.nrows());
        // base · qᵀ: the long base is split into row blocks across threads.
        let dots = dot_t(base, queries.slice(ndarray::s![start..end, ..]));
        let block: Vec<Vec<Neighbour>> = (start..end)
            .into_par_iter()
            .map(|qi| {
                let col = dots.column(qi - start);
                let skip = exclude.map(|e| e[qi]);
                let qn = q_norms[qi];
                let all = col
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| Some(i) != skip)
                    .map(|(i, &dot)| {
                        let distance = match metric {
                            Metric::Euclidean => (qn - 2.0 * dot + norms[i]).max(0.0).sqrt(),
                            Metric::Cosine => {
                                let denom = (qn * norms[i]).sqrt();
                                if denom == 0.0 { 1.0 } else { 1.0 - dot / denom }
                            }
                        };
                        Neighbour {
                            image: i as ImageId,
                            distance,
                        }
                    })
                    .collect();
                top_k(all, k)
            })
            .collect();
        out.extend(block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random(n: usize, d: usize) -> Array2<f32> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        Array2::from_shape_fn((n, d), |_| rng.gen_range(-1.0..1.0))
    }

    /// The plainest possible search: sort every other image by its f64 distance.
    fn brute_force(
        x: &Array2<f32>,
        q: usize,
        k: usize,
        metric: Metric,
        among: Option<&[u32]>,
    ) -> Vec<u32> {
        let row = |i: usize| x.row(i).mapv(f64::from);
        let mut d: Vec<(f64, u32)> = (0..x.nrows())
            .filter(|&i| i != q && among.is_none_or(|a| a.contains(&(i as u32))))
            .map(|i| {
                let (a, b) = (row(q), row(i));
                let dist = match metric {
                    Metric::Euclidean => (&a - &b).mapv(|v| v * v).sum().sqrt(),
                    Metric::Cosine => 1.0 - a.dot(&b) / (a.dot(&a).sqrt() * b.dot(&b).sqrt()),
                };
                (dist, i as u32)
            })
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0));
        d.into_iter().take(k).map(|(_, i)| i).collect()
    }

    #[test]
    fn neighbours_are_identical_to_brute_force() {
        let x = random(3000, 16);
        let among: Vec<u32> = (0..3000).filter(|i| i % 3 == 0).collect();
        for metric in [Metric::Euclidean, Metric::Cosine] {
            for q in [0usize, 17, 2999] {
                let ids = |n: Vec<Neighbour>| n.into_iter().map(|n| n.image).collect::<Vec<_>>();
                assert_eq!(
                    ids(nearest(x.view(), q as u32, 10, metric, None)),
                    brute_force(&x, q, 10, metric, None)
                );
                assert_eq!(
                    ids(nearest(x.view(), q as u32, 5, metric, Some(&among))),
                    brute_force(&x, q, 5, metric, Some(&among))
                );
            }
            let many = nearest_many(x.view(), &[4, 99], 10, metric);
            assert_eq!(
                many[1].iter().map(|n| n.image).collect::<Vec<_>>(),
                brute_force(&x, 99, 10, metric, None)
            );
        }
    }

    #[test]
    fn degenerate_queries_do_not_panic() {
        let x = Array2::<f32>::zeros((3, 2));
        assert_eq!(nearest(x.view(), 5, 3, Metric::Cosine, None), vec![]);
        let n = nearest(x.view(), 0, 10, Metric::Cosine, None);
        assert_eq!(n.len(), 2);
        assert!(n.iter().all(|n| n.distance == 1.0));
        assert_eq!(nearest(x.view(), 0, 0, Metric::Euclidean, None), vec![]);
    }
}
