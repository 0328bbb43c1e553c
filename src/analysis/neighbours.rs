//! Exact nearest neighbours of an image in a layer's activation space, by brute force over
//! blocked products with the top k kept as the products come: exact, and fast enough to
//! answer while the cursor moves.

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

use super::kernels::{dot_t_into, row_norms_sq, vectorised};
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

/// Base rows per product block: the block's distances to a query block stay in L2.
const BASE_BLOCK: usize = 512;
/// Most queries per block (fewer when that leaves a thread idle).
const QUERY_BLOCK: usize = 512;

/// The `k` best (distance, row) pairs seen so far, ordered by distance then row.
struct Best {
    k: usize,
    kept: Vec<(f32, u32)>,
}

impl Best {
    /// Everything below this is a candidate; NaN (nothing rejected) until `k` are kept.
    fn threshold(&self) -> f32 {
        if self.kept.len() < self.k {
            f32::NAN
        } else {
            self.kept[self.k - 1].0
        }
    }

    fn offer(&mut self, distance: f32, row: u32) {
        let before = |a: (f32, u32), b: (f32, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).is_lt();
        if self.kept.len() == self.k {
            if !before((distance, row), self.kept[self.k - 1]) {
                return;
            }
            self.kept.pop();
        }
        let at = self.kept.partition_point(|&e| before(e, (distance, row)));
        self.kept.insert(at, (distance, row));
    }
}

/// Queries in blocks spread over threads; each block walks the base in blocks, one matrix
/// product per pair (`|q|² - 2 q·x + |x|²`, or the cosine from the same product), and keeps
/// its top k as it goes (as faiss's IndexFlatL2), so no query x base matrix is ever held.
fn search(
    base: ArrayView2<f32>,
    queries: ArrayView2<f32>,
    k: usize,
    metric: Metric,
    exclude: Option<&[usize]>,
) -> Vec<Vec<Neighbour>> {
    let (m, n) = (queries.nrows(), base.nrows());
    let k = k.min(n);
    if k == 0 {
        return vec![Vec::new(); m];
    }
    let norms = row_norms_sq(base);
    let q_norms = row_norms_sq(queries);
    let inverse = |v: &[f32]| -> Vec<f32> {
        v.iter()
            .map(|&s| if s > 0.0 { 1.0 / s.sqrt() } else { 0.0 })
            .collect()
    };
    let (inv, q_inv) = match metric {
        Metric::Cosine => (inverse(&norms), inverse(&q_norms)),
        Metric::Euclidean => (Vec::new(), Vec::new()),
    };
    let threads = rayon::current_num_threads().max(1);
    let qb = m.div_ceil(threads).clamp(1, QUERY_BLOCK);
    let blocks: Vec<usize> = (0..m).step_by(qb).collect();
    let found: Vec<Vec<Vec<Neighbour>>> = blocks
        .into_par_iter()
        .map(|start| {
            let end = (start + qb).min(m);
            let qs = queries.slice(ndarray::s![start..end, ..]);
            let mut best: Vec<Best> = (start..end)
                .map(|_| Best {
                    k,
                    kept: Vec::with_capacity(k + 1),
                })
                .collect();
            let mut buf = Array2::<f32>::zeros((end - start, BASE_BLOCK.min(n)));
            for b0 in (0..n).step_by(BASE_BLOCK) {
                let b1 = (b0 + BASE_BLOCK).min(n);
                let mut dots = buf.slice_mut(ndarray::s![.., ..b1 - b0]);
                dot_t_into(dots.view_mut(), qs, base.slice(ndarray::s![b0..b1, ..]));
                let scan = Scan {
                    metric,
                    norms: &norms[b0..b1],
                    inv: if inv.is_empty() { &[] } else { &inv[b0..b1] },
                    q_norms: &q_norms[start..end],
                    q_inv: if q_inv.is_empty() {
                        &[]
                    } else {
                        &q_inv[start..end]
                    },
                    skip: exclude.map(|e| &e[start..end]),
                    b0,
                };
                vectorised(scan_block, (scan, dots, &mut best[..]));
            }
            best.into_iter().map(|b| finish(b.kept, metric)).collect()
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// What one block of products needs to become distances and top-k offers: the base
/// block's norms (from row `b0`), the query block's, and each query's own row to skip.
struct Scan<'a> {
    metric: Metric,
    norms: &'a [f32],
    inv: &'a [f32],
    q_norms: &'a [f32],
    q_inv: &'a [f32],
    skip: Option<&'a [usize]>,
    b0: usize,
}

/// Values checked at once for anything below a query's threshold before any is offered.
const SCAN_CHUNK: usize = 16;

/// Turns a query block x base block of products into distances and offers those below
/// each query's current k-th best to its top k. Most chunks of `SCAN_CHUNK` hold nothing
/// below the threshold once k are kept; they are passed over after one vector compare.
/// Run through `vectorised` (AVX2 where the CPU has it).
#[inline(always)]
fn scan_block((scan, mut dots, best): (Scan, ArrayViewMut2<f32>, &mut [Best])) {
    for (qi, mut row) in dots.rows_mut().into_iter().enumerate() {
        let row = row
            .as_slice_mut()
            .expect("rows of an owned block are contiguous");
        match scan.metric {
            Metric::Euclidean => {
                let qn = scan.q_norms[qi];
                row.iter_mut()
                    .zip(scan.norms)
                    .for_each(|(d, &xn)| *d = (qn - 2.0 * *d + xn).max(0.0));
            }
            Metric::Cosine => {
                let qi_inv = scan.q_inv[qi];
                row.iter_mut()
                    .zip(scan.inv)
                    .for_each(|(d, &xi)| *d = 1.0 - *d * qi_inv * xi);
            }
        }
        let skip = scan.skip.map(|e| e[qi]);
        let top = &mut best[qi];
        let mut threshold = top.threshold();
        for (c, chunk) in row.chunks(SCAN_CHUNK).enumerate() {
            // Not just `d < t`: a NaN distance or threshold lets the value through, for the
            // exact comparison in `offer`.
            if !chunk
                .iter()
                .fold(false, |any, &d| any | lets_through(d, threshold))
            {
                continue;
            }
            for (j, &d) in chunk.iter().enumerate() {
                let col = scan.b0 + c * SCAN_CHUNK + j;
                if lets_through(d, threshold) && Some(col) != skip {
                    top.offer(d, col as u32);
                    threshold = top.threshold();
                }
            }
        }
    }
}

/// Whether `d` is below `threshold` or either is NaN (`!(d >= threshold)`).
#[inline(always)]
fn lets_through(d: f32, threshold: f32) -> bool {
    d < threshold || d.is_nan() || threshold.is_nan()
}

/// Squared Euclidean distances become distances; the order is settled as `top_k` settles it.
fn finish(kept: Vec<(f32, u32)>, metric: Metric) -> Vec<Neighbour> {
    let all = kept
        .into_iter()
        .map(|(d, i)| Neighbour {
            image: i as ImageId,
            distance: match metric {
                Metric::Euclidean => d.sqrt(),
                Metric::Cosine => d,
            },
        })
        .collect::<Vec<_>>();
    let k = all.len();
    top_k(all, k)
}

#[cfg(test)]
#[path = "neighbours_tests.rs"]
mod tests;
