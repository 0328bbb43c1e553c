//! The two numeric steps of k-means: greedy k-means++ seeding and the fused Lloyd step
//! (distances to every centroid, nearest picked, row added to its cluster's sum), over
//! blocks of rows spread across threads.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, s};
use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::kernels::{dot_t_into, row_norms_sq};

/// Rows per fused block: the block's k products per row stay in L1/L2 while the nearest
/// centroid is picked and the row added to its sum.
const BLOCK: usize = 256;
/// Contiguous parts per thread: fixed, so the f64 sums are added in the same order on
/// every run (deterministic for a seed), and enough of them to even out a busy core.
const PARTS_PER_THREAD: usize = 4;
/// Centroids compared side by side when picking the nearest (one vector of f32).
const LANES: usize = 8;

/// Per-cluster sums (k x dim, f64) and counts of the rows assigned in one Lloyd step.
pub(super) struct Sums {
    pub sums: Array2<f64>,
    pub counts: Vec<usize>,
}

/// Assigns every row to its nearest centroid and returns the per-cluster sums and counts,
/// writing the labels and squared distances into `labels` and `dists`.
///
/// Per block of rows, one product `block · centroidsᵀ`, then `|c|² - 2 x·c` compared
/// (`|x|²` is the same for every centroid and is added to the winner only, as in
/// scikit-learn's Lloyd step).
pub(super) fn assign_and_sum(
    x: ArrayView2<f32>,
    x_norms: &[f32],
    centroids: &Array2<f32>,
    labels: &mut [u32],
    dists: &mut [f32],
) -> Sums {
    let (n, d) = x.dim();
    let k = centroids.nrows();
    // Padded to whole vectors; the padding's norm is infinite so it never wins.
    let mut c_norms = row_norms_sq(centroids.view());
    c_norms.resize(k.next_multiple_of(LANES), f32::INFINITY);
    let parts = (rayon::current_num_threads() * PARTS_PER_THREAD).clamp(1, n.div_ceil(BLOCK));
    let per = n.div_ceil(parts).max(1);
    let partial: Vec<Sums> = labels
        .par_chunks_mut(per)
        .zip(dists.par_chunks_mut(per))
        .enumerate()
        .map(|(p, (lab, dist))| {
            let start = p * per;
            let rows = x.slice(s![start..start + lab.len(), ..]);
            let norms = &x_norms[start..start + lab.len()];
            pulp::Arch::new().dispatch(Part {
                rows,
                x_norms: norms,
                centroids: centroids.view(),
                c_norms: &c_norms,
                labels: lab,
                dists: dist,
            })
        })
        .collect();
    let mut total = Sums {
        sums: Array2::zeros((k, d)),
        counts: vec![0; k],
    };
    for p in partial {
        total.sums += &p.sums;
        total
            .counts
            .iter_mut()
            .zip(&p.counts)
            .for_each(|(a, b)| *a += b);
    }
    total
}

/// One thread's contiguous part of the Lloyd step.
struct Part<'a> {
    rows: ArrayView2<'a, f32>,
    x_norms: &'a [f32],
    centroids: ArrayView2<'a, f32>,
    /// Padded to whole vectors of `LANES`.
    c_norms: &'a [f32],
    labels: &'a mut [u32],
    dists: &'a mut [f32],
}

/// The release build targets baseline x86-64 (SSE2) so that it runs anywhere, which would
/// leave these loops (minimum search, f64 sums) at 128-bit vectors without blends; pulp
/// runs them compiled for AVX2 and FMA where the CPU has them (chosen at run time). Both
/// functions are inlined into pulp's per-instruction-set copy.
impl pulp::WithSimd for Part<'_> {
    type Output = Sums;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> Sums {
        assign_part(self)
    }
}

#[inline(always)]
fn assign_part(part: Part) -> Sums {
    let Part {
        rows,
        x_norms,
        centroids,
        c_norms,
        labels,
        dists,
    } = part;
    let (k, d) = centroids.dim();
    let stride = c_norms.len();
    let mut sums = vec![0f64; k * d];
    let mut counts = vec![0usize; k];
    // rows x stride; the padding columns stay 0 and meet an infinite norm.
    let mut products = vec![0f32; BLOCK * stride];
    let blocks = rows
        .axis_chunks_iter(Axis(0), BLOCK)
        .zip(labels.chunks_mut(BLOCK))
        .zip(dists.chunks_mut(BLOCK))
        .zip(x_norms.chunks(BLOCK));
    for (((block, lab), dist), norms) in blocks {
        let r = block.nrows();
        let mut out = ArrayViewMut2::from_shape((r, stride), &mut products[..r * stride])
            .expect("rows x stride fits the buffer");
        dot_t_into(out.slice_mut(s![.., ..k]), block, centroids);
        let per_row = products[..r * stride].chunks_exact(stride);
        for (i, (row, g)) in block.rows().into_iter().zip(per_row).enumerate() {
            let (c, best) = nearest(g, c_norms);
            lab[i] = c as u32;
            dist[i] = (norms[i] + best).max(0.0);
            counts[c] += 1;
            let sum = &mut sums[c * d..(c + 1) * d];
            match row.as_slice() {
                Some(v) => sum.iter_mut().zip(v).for_each(|(s, &v)| *s += f64::from(v)),
                None => sum
                    .iter_mut()
                    .zip(row)
                    .for_each(|(s, &v)| *s += f64::from(v)),
            }
        }
    }
    Sums {
        sums: Array2::from_shape_vec((k, d), sums).expect("k x dim sums"),
        counts,
    }
}

/// The centroid with the lowest `|c|² - 2 x·c` given one row's products `g` with every
/// centroid (both padded to whole vectors), and that value; the first on ties, as a plain
/// scan would pick. `LANES` running minima side by side, so the loop is a vector loop.
#[inline(always)]
fn nearest(g: &[f32], c_norms: &[f32]) -> (usize, f32) {
    let mut best = [f32::INFINITY; LANES];
    let mut arg = [0u32; LANES];
    let chunks = g.chunks_exact(LANES).zip(c_norms.chunks_exact(LANES));
    let mut ids: [u32; LANES] = std::array::from_fn(|l| l as u32);
    for (g, cn) in chunks {
        for l in 0..LANES {
            let v = cn[l] - 2.0 * g[l];
            // All ones where closer: a bit mask (not a branch) keeps the select in vectors.
            let closer = 0u32.wrapping_sub(u32::from(v < best[l]));
            arg[l] = (ids[l] & closer) | (arg[l] & !closer);
            best[l] = if v < best[l] { v } else { best[l] };
            ids[l] += LANES as u32;
        }
    }
    let mut pick = (arg[0], best[0]);
    for l in 1..LANES {
        if best[l] < pick.1 || (best[l] == pick.1 && arg[l] < pick.0) {
            pick = (arg[l], best[l]);
        }
    }
    (pick.0 as usize, pick.1)
}

/// Rows per task of the seeding's distance pass.
const SEED_BLOCK: usize = 4096;

/// Squared distances of every row to each candidate centre (candidates x N), and each
/// candidate's potential: the total of `min(distance, closest)` over the rows. Rows are cut
/// into fixed blocks, one product per block on its thread, and the block totals added in
/// order, so the result is the same on every run.
fn candidate_distances(
    x: ArrayView2<f32>,
    x_norms: &[f32],
    candidates: ArrayView2<f32>,
    closest: &[f32],
) -> (Array2<f32>, Vec<f64>) {
    let t = candidates.nrows();
    let c_norms = row_norms_sq(candidates);
    let mut d = Array2::<f32>::zeros((t, x.nrows()));
    let partial: Vec<Vec<f64>> = d
        .axis_chunks_iter_mut(Axis(1), SEED_BLOCK)
        .into_par_iter()
        .zip(x.axis_chunks_iter(Axis(0), SEED_BLOCK))
        .zip(x_norms.par_chunks(SEED_BLOCK))
        .zip(closest.par_chunks(SEED_BLOCK))
        .map(|(((mut out, block), norms), closest)| {
            dot_t_into(out.view_mut(), candidates, block);
            out.rows_mut()
                .into_iter()
                .zip(&c_norms)
                .map(|(mut row, &cn)| {
                    let mut potential = 0f64;
                    for ((g, &xn), &near) in row.iter_mut().zip(norms).zip(closest) {
                        *g = (xn - 2.0 * *g + cn).max(0.0);
                        potential += f64::from(g.min(near));
                    }
                    potential
                })
                .collect()
        })
        .collect();
    let mut potentials = vec![0f64; t];
    for p in partial {
        potentials.iter_mut().zip(p).for_each(|(a, b)| *a += b);
    }
    (d, potentials)
}

/// Greedy k-means++ seeding as scikit-learn's `_kmeans_plusplus`: each next centre is the
/// best (lowest total squared distance) of `2 + ln k` candidates drawn with probability
/// proportional to the squared distance to the nearest centre chosen so far.
pub(super) fn seed_centroids(
    x: ArrayView2<f32>,
    x_norms: &[f32],
    k: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> Array2<f32> {
    let n = x.nrows();
    let trials = 2 + (k as f64).ln() as usize;
    let mut centroids = Array2::zeros((k, x.ncols()));
    let first = rng.gen_range(0..n);
    centroids.row_mut(0).assign(&x.row(first));
    let (first_distances, _) = candidate_distances(
        x,
        x_norms,
        centroids.slice(s![..1, ..]),
        &vec![f32::INFINITY; n],
    );
    let mut closest = first_distances.row(0).to_vec();
    for c in 1..k {
        let mut cumulative = Vec::with_capacity(n);
        let mut running = 0f64;
        for &d in &closest {
            running += f64::from(d);
            cumulative.push(running);
        }
        let picks: Vec<usize> = (0..trials)
            .map(|_| {
                if running > 0.0 {
                    let target = rng.gen_range(0.0..running);
                    cumulative.partition_point(|&s| s <= target).min(n - 1)
                } else {
                    rng.gen_range(0..n)
                }
            })
            .collect();
        let candidates = x.select(Axis(0), &picks);
        let (d, potentials) = candidate_distances(x, x_norms, candidates.view(), &closest);
        let best = (0..trials)
            .min_by(|&a, &b| potentials[a].total_cmp(&potentials[b]))
            .unwrap_or(0);
        centroids.row_mut(c).assign(&x.row(picks[best]));
        closest
            .iter_mut()
            .zip(d.row(best))
            .for_each(|(a, &b)| *a = a.min(b));
    }
    centroids
}
