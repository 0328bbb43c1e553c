//! UMAP's layout optimisation as umap-learn does it (McInnes, Healy & Melville 2018):
//! stochastic gradient descent in which each edge of the fuzzy graph is sampled in
//! proportion to its weight; a sample pulls the edge's two ends together and pushes its head
//! away from a few images drawn at random.
//!
//! manifolds-rs builds the graph and the spectral start, but its optimisers are not used.
//! On anchors.py's 50,000 x 64 mixture its parallel Adam took 4.9 s of a 7 s map (0.36-0.5x
//! umap-learn's whole run; its SGD is slower still), and it draws half of umap-learn's
//! negative samples (only the smaller end of an edge gets them): its maps' KL was 4-5% above
//! umap-learn's (4.91 vs 4.72). This loop takes 1.6-2.1 s there, and its maps are within
//! 0.4% of umap-learn's KL. It keeps umap-learn's sampling and, for speed and for the same
//! map on any number of threads:
//! - computes each epoch's moves from the positions at the start of the epoch (umap-learn
//!   moves points as it goes, racing between threads);
//! - applies an edge's pull on its tail when the tail's own row samples the reverse edge
//!   (the graph is symmetric with equal weights both ways, so the schedule is the same);
//! - samples an edge of weight w at the epochs where floor(epoch w / w_max) rises: the
//!   epochs umap-learn's per-edge clock gives, computed from the weight alone, so no
//!   per-edge state is read and written every epoch (at 50,000 images it was 25 MB);
//! - draws `negative_rate` images per sample (umap-learn's count varies by one around it,
//!   with the same mean) from a generator seeded by (seed, epoch, image), not from one
//!   shared stream;
//! - draws a block's samples first, without branches, reads their positions in loops of
//!   independent loads, and computes their forces in long vectorised passes
//!   (`umap_forces.rs`);
//! - walks the edges in the graph's row order, which the caller has made the images' memory
//!   order ([`super::locality`]).

use manifolds_rs::prelude::CoordinateList;
use rand::{RngCore, SeedableRng};
use rand_xoshiro::SplitMix64;
use rayon::prelude::*;

use super::locality::row_starts;
pub(super) use super::umap_forces::LayoutSettings;
use super::umap_forces::{Pull, Push, apply_forces};

/// Images per parallel task: large enough to amortise scheduling, small enough to balance
/// two to a few dozen threads.
const BLOCK: usize = 512;

/// Optimises `positions` (one per image) against `graph`, whose edges must be sorted by row
/// (as [`super::locality::MemoryOrder::renumber`] leaves them).
pub(super) fn optimise_layout(
    positions: &mut Vec<[f32; 2]>,
    graph: &CoordinateList<f32>,
    settings: &LayoutSettings,
) {
    let n = positions.len();
    let starts = row_starts(graph.row_indices.iter().copied(), n);
    let max_weight = graph.values.iter().copied().fold(0.0f32, f32::max);
    if n < 2 || max_weight <= 0.0 {
        return;
    }
    // umap-learn's schedule: an edge of weight w is sampled every max_w / w epochs, i.e.
    // at the epochs where its count of samples so far, floor(epoch * w / max_w), goes up.
    let rates: Vec<f32> = graph
        .values
        .iter()
        .map(|&w| (w / max_weight).max(0.0))
        .collect();
    let cols: Vec<u32> = graph.col_indices.iter().map(|&c| c as u32).collect();
    let draws_per_sample = settings.negative_rate;
    let mut next = positions.clone();
    let mut scratches: Vec<Scratch> = (0..n.div_ceil(BLOCK))
        .map(|b| {
            let images = b * BLOCK..((b + 1) * BLOCK).min(n);
            let edges = starts[images.end] - starts[images.start];
            Scratch {
                partners: vec![0; edges],
                strangers: vec![0; edges * draws_per_sample + images.len()],
                ..Scratch::default()
            }
        })
        .collect();

    for epoch in 0..settings.epochs {
        let alpha = settings.learning_rate * (1.0 - epoch as f32 / settings.epochs as f32);
        let now = epoch as f32;
        let before = epoch.saturating_sub(1) as f32;
        let current: &[[f32; 2]] = positions;
        next.par_chunks_mut(BLOCK)
            .zip(scratches.par_iter_mut())
            .enumerate()
            .for_each(|(block, (out, scratch))| {
                let first = block * BLOCK;
                // Which images each image of the block meets is drawn first; their
                // positions are then read in loops of independent loads (a read between
                // random draws waited for memory: a quarter of the time at 50,000 images),
                // the forces computed in two long vectorised passes, and summed per image.
                let Scratch {
                    partners,
                    strangers,
                    ends,
                    pulls,
                    pushes,
                } = scratch;
                ends.clear();
                let (mut pulled, mut pushed) = (0, 0);
                for i in first..first + out.len() {
                    let row = starts[i]..starts[i + 1];
                    let sampled = take_due(
                        &mut partners[pulled..],
                        &cols[row.clone()],
                        &rates[row],
                        now,
                        before,
                    );
                    pulled += sampled;
                    let mut rng = SplitMix64::seed_from_u64(
                        settings.seed ^ ((epoch as u64) << 40) ^ (i as u64).wrapping_mul(0x9e37),
                    );
                    pushed += draw_strangers(
                        &mut strangers[pushed..],
                        sampled * draws_per_sample,
                        i,
                        n,
                        &mut rng,
                    );
                    ends.push((pulled, pushed));
                }
                pulls.gather(
                    current,
                    first,
                    ends.iter().map(|e| e.0),
                    &partners[..pulled],
                );
                pushes.gather(
                    current,
                    first,
                    ends.iter().map(|e| e.1),
                    &strangers[..pushed],
                );
                apply_forces::<Pull>(&mut pulls.dx, &mut pulls.dy, settings);
                apply_forces::<Push>(&mut pushes.dx, &mut pushes.dy, settings);
                let (mut pull_start, mut push_start) = (0, 0);
                for ((slot, &(pull_end, push_end)), i) in
                    out.iter_mut().zip(ends.iter()).zip(first..)
                {
                    let pull = pulls.sum(pull_start..pull_end);
                    let push = pushes.sum(push_start..push_end);
                    (pull_start, push_start) = (pull_end, push_end);
                    // The pull counts twice: this row's sample and the tail's pull from the
                    // reverse edge's sample, which falls due at the same epochs.
                    let yi = current[i];
                    *slot = [
                        yi[0] + alpha * (2.0 * pull[0] + push[0]),
                        yi[1] + alpha * (2.0 * pull[1] + push[1]),
                    ];
                }
            });
        std::mem::swap(positions, &mut next);
    }
}

/// Accumulators a force sum is split over: a single running sum would have to be added in
/// order, one sample at a time.
const LANES: usize = 8;

/// One block's working memory, kept from epoch to epoch.
#[derive(Default)]
struct Scratch {
    /// Images sampled by the block's images this epoch, image by image.
    partners: Vec<u32>,
    /// Random images drawn for negative samples, image by image.
    strangers: Vec<u32>,
    /// Where each image's partners and strangers end.
    ends: Vec<(usize, usize)>,
    pulls: Offsets,
    pushes: Offsets,
}

/// Offsets `y_i - y_other` of a block's samples in one epoch, gathered so the forces can be
/// computed in a tight loop over them.
#[derive(Default)]
struct Offsets {
    dx: Vec<f32>,
    dy: Vec<f32>,
}

impl Offsets {
    /// The offsets from each image of the block (from `first` on) to the `others` listed
    /// for it, image by image up to each of `ends`.
    fn gather(
        &mut self,
        positions: &[[f32; 2]],
        first: usize,
        ends: impl Iterator<Item = usize>,
        others: &[u32],
    ) {
        self.dx.clear();
        self.dy.clear();
        let mut start = 0;
        for (end, i) in ends.zip(first..) {
            let yi = positions[i];
            let others = &others[start..end];
            self.dx
                .extend(others.iter().map(|&k| yi[0] - positions[k as usize][0]));
            self.dy
                .extend(others.iter().map(|&k| yi[1] - positions[k as usize][1]));
            start = end;
        }
    }

    /// Sum of the entries in `range` (after the forces have replaced the offsets).
    fn sum(&self, range: std::ops::Range<usize>) -> [f32; 2] {
        [lane_sum(&self.dx[range.clone()]), lane_sum(&self.dy[range])]
    }
}

/// Sum of `values` over [`LANES`] independent accumulators, added together at the end
/// (a fixed order, so the same map on every run).
fn lane_sum(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    for (lane, v) in lanes.iter_mut().zip(rest) {
        *lane += v;
    }
    lanes.iter().sum()
}

/// Writes to the start of `partners` the ends of the edges (`cols`, sampled at `rates` per
/// epoch) that fall due at epoch `now` (those whose count of samples rises from epoch
/// `before`), and returns how many there were. Without a branch per edge: about one edge in
/// five falls due, too irregularly to predict.
fn take_due(partners: &mut [u32], cols: &[u32], rates: &[f32], now: f32, before: f32) -> usize {
    let mut end = 0;
    for (&j, &rate) in cols.iter().zip(rates) {
        partners[end] = j;
        end += usize::from((now * rate) as u32 > (before * rate) as u32);
    }
    end
}

/// Writes to the start of `strangers` up to `draws` images drawn uniformly at random,
/// leaving out image `i` (by not advancing the end over it rather than by a branch), and
/// returns how many it wrote. Two draws come from each 64-bit output, by Lemire's
/// multiply-shift (its bias, under n / 2^32, is far below the sampling noise).
fn draw_strangers(
    strangers: &mut [u32],
    draws: usize,
    i: usize,
    n: usize,
    rng: &mut SplitMix64,
) -> usize {
    let mut end = 0;
    let mut put = |bits: u32, end: &mut usize| {
        let k = ((bits as u64 * n as u64) >> 32) as usize;
        strangers[*end] = k as u32;
        *end += usize::from(k != i);
    };
    for _ in 0..draws / 2 {
        let bits = rng.next_u64();
        put(bits as u32, &mut end);
        put((bits >> 32) as u32, &mut end);
    }
    if draws % 2 == 1 {
        put(rng.next_u32(), &mut end);
    }
    end
}

#[cfg(test)]
#[path = "umap_layout_tests.rs"]
mod tests;
