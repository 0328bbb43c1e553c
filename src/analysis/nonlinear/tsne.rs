//! t-SNE to 2-D with FFT-interpolated repulsion (FIt-SNE): the neighbours are found exactly
//! (`neighbours::nearest_many`), manifolds-rs turns them into affinities and makes the PCA
//! start; the descent is `tsne_descent`'s (openTSNE's schedule around the crate's FFT
//! repulsion).
//!
//! The engine's pieces are called one by one rather than through `manifolds_rs::tsne`, so a
//! map can start from a given layout (the neighbouring step's), and so the affinities stay
//! at hand to report the KL divergence.

use manifolds_rs::data::init::{EmbdInit, initialise_embedding};
use manifolds_rs::prelude::{CoordinateList, ManifoldsMatrix, NearestNeighbourParams};
use ndarray::{Array2, ArrayView2};

use super::locality::MemoryOrder;
use super::tsne_descent::{Phase, descend};
use super::{
    Stage, check_input, has_spread, kl::kl_divergence, random_rows, row_major, to_array,
    to_rows_scaled,
};
use crate::analysis::AnalysisError;
use crate::analysis::align::align_rigid;
use crate::analysis::neighbours::{Metric, Neighbour, nearest_many};

/// Fewest images t-SNE is run on: with three or fewer there is no neighbourhood to keep.
pub const MIN_IMAGES: usize = 4;

/// Standard deviation of a layout started from nothing (PCA or, for a layer without
/// spread, seeded noise): openTSNE's 0.0001. Starting at 1 gave slightly worse maps on
/// anchors' mixture at 50,000 images (KL 4.345 against 4.342, 10-NN kept 0.048 against
/// 0.049).
const FRESH_INIT_STD: f32 = 1e-4;
/// The smallest automatic step size (FIt-SNE's floor for small maps).
const MIN_LEARNING_RATE: f64 = 200.0;

/// Settings of one t-SNE run. Checked by [`TsneParams::check`] before any work.
#[derive(Debug, Clone, PartialEq)]
pub struct TsneParams {
    /// Effective number of neighbours (5 to 50 is usual). Reduced, and reported, when the
    /// layer has too few images for it.
    pub perplexity: f64,
    /// Seed of every random choice: the same seed gives the same map.
    pub seed: u64,
    /// Gradient-descent iterations in total, exaggeration phase included (a map started
    /// from a given layout runs only the iterations after that phase).
    pub iterations: usize,
    /// Iterations with early exaggeration at the start of a fresh map (none when starting
    /// from a given layout, which is already laid out).
    pub exaggeration_iterations: usize,
    /// Attraction factor during early exaggeration.
    pub exaggeration: f64,
    /// Step size of every iteration; `None` takes openTSNE's rule per phase: N divided by
    /// the phase's exaggeration (N / 12 while exaggerated, then N), at least 200.
    pub learning_rate: Option<f64>,
}

impl Default for TsneParams {
    fn default() -> Self {
        Self {
            perplexity: 30.0,
            seed: 0,
            iterations: 750,
            exaggeration_iterations: 250,
            exaggeration: 12.0,
            learning_rate: None,
        }
    }
}

impl TsneParams {
    /// Rejects settings the engine cannot run or would turn into NaN.
    pub fn check(&self) -> Result<(), AnalysisError> {
        let bad = |m: String| Err(AnalysisError::BadParameter(m));
        if !(self.perplexity.is_finite() && self.perplexity >= 1.0) {
            return bad(format!(
                "perplexity must be at least 1, got {}",
                self.perplexity
            ));
        }
        if self.iterations == 0 || self.iterations > 100_000 {
            return bad(format!(
                "iterations must be between 1 and 100000, got {}",
                self.iterations
            ));
        }
        if self.exaggeration_iterations > self.iterations {
            return bad(format!(
                "exaggeration iterations ({}) exceed the iterations ({})",
                self.exaggeration_iterations, self.iterations
            ));
        }
        if !(self.exaggeration.is_finite() && self.exaggeration >= 1.0) {
            return bad(format!(
                "exaggeration must be at least 1, got {}",
                self.exaggeration
            ));
        }
        if let Some(lr) = self.learning_rate
            && !(lr.is_finite() && lr > 0.0)
        {
            return bad(format!("learning rate must be positive, got {lr}"));
        }
        Ok(())
    }

    /// The perplexity actually used for `n` images: the engine looks at 3 x perplexity
    /// neighbours, so it is capped at (n - 1) / 3.
    pub fn perplexity_for(&self, n: usize) -> f64 {
        self.perplexity.min(n.saturating_sub(1) as f64 / 3.0)
    }
}

/// A t-SNE map and how it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct TsneMap {
    /// N x 2, row i = image i.
    pub points: Array2<f32>,
    /// KL(P || Q) of `points`, with the exact normaliser.
    pub kl: f64,
    /// Perplexity used; below the requested one when the layer has too few images.
    pub perplexity_used: f64,
    /// True if `perplexity_used` is below the requested perplexity.
    pub perplexity_reduced: bool,
}

/// t-SNE of the rows of `x` (N x dim) to 2-D. With `init` (N x 2, e.g. the map of the
/// neighbouring step) the descent starts there without early exaggeration and the result is
/// rigidly aligned to it; without, it starts from the PCA of `x`.
pub fn tsne_2d(
    x: ArrayView2<f32>,
    params: &TsneParams,
    init: Option<ArrayView2<f32>>,
) -> Result<TsneMap, AnalysisError> {
    tsne_2d_reporting(x, params, init, &mut |_| {})
}

/// [`tsne_2d`], calling `stage` as each stage starts.
pub fn tsne_2d_reporting(
    x: ArrayView2<f32>,
    params: &TsneParams,
    init: Option<ArrayView2<f32>>,
    stage: &mut dyn FnMut(Stage),
) -> Result<TsneMap, AnalysisError> {
    params.check()?;
    let (n, dim) = check_input(x, init, MIN_IMAGES)?;

    stage(Stage::Neighbours);
    let perplexity_used = params.perplexity_for(n);
    let data = row_major(x);
    let graph = affinities(x, &data, perplexity_used, params.seed)?;

    stage(Stage::Initialising);
    let given = init.and_then(|l| to_rows_scaled(l, None));
    let descent = phases(params, n, given.is_some());
    let mut rows = match given {
        Some(rows) => rows,
        None => {
            let matrix = (data.as_slice(), n, dim);
            let input = matrix.to_mat_input();
            let pca = EmbdInit::PcaInit {
                range: Some(FRESH_INIT_STD),
                randomised: true,
            };
            initialise_embedding(&pca, 2, params.seed, &graph, input.as_mat_ref())
                .map_err(engine)?
        }
    };
    if !has_spread(&rows) {
        // A constant layer (or one image repeated): PCA has no direction to offer.
        rows = random_rows(n, FRESH_INIT_STD, params.seed);
    }

    let order = MemoryOrder::along(&rows);
    let mut rows = order.arrange(&rows);
    let mut graph = graph;
    order.renumber(&mut graph);

    stage(Stage::Optimising);
    descend(&mut rows, &graph, &descent);

    stage(Stage::Finishing);
    if rows.iter().flatten().any(|v| !v.is_finite()) {
        return Err(AnalysisError::Numerical(
            "the optimiser produced non-finite coordinates".into(),
        ));
    }
    let kl = kl_divergence(&graph, to_array(&rows).view());
    let mut points = order.restore(&rows);
    if let Some(reference) = init {
        align_rigid(&mut points, reference);
    }
    Ok(TsneMap {
        points,
        kl,
        perplexity_used,
        perplexity_reduced: perplexity_used < params.perplexity,
    })
}

/// The joint probabilities P of the rows of `x` (`data` is the same, row-major) at
/// `perplexity`: each image's 3 x perplexity nearest images (openTSNE's count, the engine's
/// too), found exactly by deepscope's blocked search, become Gaussian conditionals fitted to
/// the perplexity and are symmetrised, both by the engine.
///
/// The engine's own search (exact up to 5,000 images, an inverted-file index above) found
/// 97% of the 90 true neighbours at 10,000 images of anchors' 64-D mixture and 85% at
/// 50,000 (1.8 s). On those exact neighbours the maps came closer to openTSNE's (exact KL /
/// 10-NN kept, by kl_eval.py): 2.795 / 0.139 -> 2.792 / 0.140 at 10,000 (openTSNE 2.780 /
/// 0.150), 4.342 / 0.049 -> 4.325 / 0.051 at 50,000 (openTSNE 4.313 / 0.063). The exact
/// search took 0.3 s at 10,000 images and 3.7 s at 50,000. Given relative to each image's
/// nearest (see [`relative_distances`]), the fit became exact and the maps came closer
/// still: 2.790 / 0.145 and 4.320 / 0.057.
fn affinities(
    x: ArrayView2<f32>,
    data: &[f32],
    perplexity: f64,
    seed: u64,
) -> Result<CoordinateList<f32>, AnalysisError> {
    let n = x.nrows();
    let ids: Vec<u32> = (0..n as u32).collect();
    let k = neighbour_count(perplexity, n);
    let found = nearest_many(x, &ids, k, Metric::Euclidean);
    let indices = found
        .iter()
        .map(|row| row.iter().map(|m| m.image as usize).collect())
        .collect();
    let distances = found.iter().map(|row| relative_distances(row)).collect();
    let (graph, _, _) = manifolds_rs::construct_tsne_graph(
        (data, n, x.ncols()),
        Some((indices, distances)),
        perplexity as f32,
        // Unused: the neighbours are given.
        "exhaustive".to_string(),
        &NearestNeighbourParams::default(),
        seed as usize,
        0,
    )
    .map_err(engine)?;
    Ok(graph)
}

/// An image's neighbour distances as the engine is given them: relative to the nearest,
/// `√(d² − d₁² + ε)`. The engine fits each image's Gaussian `exp(-β d²)` in f32 and floors
/// the row's sum at f32's epsilon. Where the squared distances are large (around 100 in
/// anchors' mixture, as in many networks' layers) the sum falls under that floor, and the
/// fit goes wrong: rows of P were off by up to 47%, 1% of P's mass in all, against an
/// exact f64 fit. Relative distances change no conditional probability (each row's
/// weights are scaled by one factor, which its normalisation removes) and keep the sums in
/// range; ε keeps the nearest above the engine's cut-off for duplicates (distance 0).
fn relative_distances(row: &[Neighbour]) -> Vec<f32> {
    const EPSILON: f32 = 1e-6;
    let nearest = row.first().map_or(0.0, |m| m.distance * m.distance);
    row.iter()
        .map(|m| {
            (m.distance * m.distance - nearest + EPSILON)
                .max(EPSILON)
                .sqrt()
        })
        .collect()
}

/// An error of the engine's, as the analyses report it.
fn engine(e: manifolds_rs::prelude::ManifoldsError) -> AnalysisError {
    AnalysisError::Numerical(e.to_string())
}

/// Neighbours per image for `perplexity` among `n` images: 3 x perplexity (at least 5), at
/// most every other image, as the engine and openTSNE count them.
fn neighbour_count(perplexity: f64, n: usize) -> usize {
    ((perplexity * 3.0) as usize)
        .max(5)
        .min(n.saturating_sub(1))
}

/// The descent of a fresh map: the exaggeration phase, then the plain one, each with
/// openTSNE's step size unless one is given: N divided by the phase's exaggeration (N / 12,
/// then N), at least 200. One step size for both (N / 12 throughout) leaves the plain
/// iterations twelve times slower, and the map with higher KL and fewer of its true
/// neighbours kept.
///
/// A map `started` from a given layout is already laid out: it skips the exaggeration phase
/// (and its iterations), which would pull clusters apart and reshuffle the map, and keeps
/// the small steps (N / 12), which refine the given layout: on the sample run N-sized steps
/// moved points 0.17 of the map's spread from the neighbouring step's map, these 0.06.
fn phases(params: &TsneParams, n: usize, started: bool) -> Vec<Phase> {
    let rate = |exaggeration: f64| {
        params
            .learning_rate
            .unwrap_or((n as f64 / exaggeration).max(MIN_LEARNING_RATE))
    };
    let exaggerated = params.exaggeration_iterations.min(params.iterations);
    let plain = params.iterations - exaggerated;
    if started {
        return vec![Phase {
            iterations: plain.max(1),
            learning_rate: rate(params.exaggeration),
            exaggeration: 1.0,
        }];
    }
    [
        Phase {
            iterations: exaggerated,
            learning_rate: rate(params.exaggeration),
            exaggeration: params.exaggeration,
        },
        Phase {
            iterations: plain,
            learning_rate: rate(1.0),
            exaggeration: 1.0,
        },
    ]
    .into_iter()
    .filter(|phase| phase.iterations > 0)
    .collect()
}

#[cfg(test)]
#[path = "tsne_tests.rs"]
mod tests;
