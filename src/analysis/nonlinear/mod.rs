//! Nonlinear 2-D maps of a layer's activations: t-SNE by manifolds-rs; UMAP's fuzzy graph
//! built here as umap-learn builds it (`umap_graph.rs`: ann-search-rs's search, manifolds-rs's
//! graph steps), its spectral start by manifolds-rs, its layout by umap-learn's SGD
//! (`umap_layout.rs`).
//!
//! Both entry points take the activations (N x dim) and an optional layout to start from,
//! usually the map of the neighbouring training step. When a layout is given the result is
//! finished with an orthogonal Procrustes fit onto it, so stepping through training moves
//! points instead of rotating or mirroring the whole map.
//!
//! Neither optimiser has a progress or cancellation hook: the callers
//! (the CLI, the TUI worker) get coarse stage reports through [`Stage`] and must keep at
//! most one run in flight, starting the newest request next.

mod kl;
mod locality;
pub mod tsne;
mod tsne_descent;
pub mod umap;
#[allow(unsafe_code)] // the AVX2 force kernels; each block says why it is safe
mod umap_forces;
mod umap_graph;
mod umap_layout;

use ndarray::{Array2, ArrayView2};

use super::AnalysisError;

pub use tsne::{TsneMap, TsneParams, tsne_2d};
pub use umap::{UmapMap, UmapParams, umap_2d};

/// Coarse stages of a map computation, reported as each one starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Nearest-neighbour search and affinities in the activation space.
    Neighbours,
    /// Building the starting layout.
    Initialising,
    /// Gradient descent on the 2-D layout (the bulk of the time).
    Optimising,
    /// KL divergence and alignment to the starting layout.
    Finishing,
}

impl Stage {
    /// What the stage does, for progress lines.
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Neighbours => "finding neighbours",
            Stage::Initialising => "initialising",
            Stage::Optimising => "optimising",
            Stage::Finishing => "finishing",
        }
    }
}

/// The checks both maps make before any work: at least `min_images` rows, all finite, and a
/// starting layout (if any) of one finite 2-D point per row. Returns (rows, columns).
fn check_input(
    x: ArrayView2<f32>,
    init: Option<ArrayView2<f32>>,
    min_images: usize,
) -> Result<(usize, usize), AnalysisError> {
    let (n, dim) = x.dim();
    if n < min_images {
        return Err(AnalysisError::TooFewImages {
            needed: min_images,
            got: n,
        });
    }
    check_finite(x)?;
    check_init(init, n)?;
    Ok((n, dim))
}

/// Rejects activations the engine would turn into NaN.
fn check_finite(x: ArrayView2<f32>) -> Result<(), AnalysisError> {
    match x
        .rows()
        .into_iter()
        .position(|r| r.iter().any(|v| !v.is_finite()))
    {
        Some(row) => Err(AnalysisError::NonFinite { row }),
        None => Ok(()),
    }
}

/// Checks a starting layout against the number of images.
fn check_init(init: Option<ArrayView2<f32>>, n: usize) -> Result<(), AnalysisError> {
    if let Some(l) = init {
        if l.nrows() != n || l.ncols() != 2 {
            return Err(AnalysisError::LayoutShape {
                got_rows: l.nrows(),
                got_cols: l.ncols(),
                want_rows: n,
            });
        }
        if l.iter().any(|v| !v.is_finite()) {
            return Err(AnalysisError::BadParameter(
                "the starting layout contains a non-finite value".into(),
            ));
        }
    }
    Ok(())
}

/// Row-major copy of the activations, as manifolds-rs takes them.
fn row_major(x: ArrayView2<f32>) -> Vec<f32> {
    x.iter().copied().collect()
}

/// manifolds-rs layouts (one `Vec` per point) to an N x 2 array.
fn to_array(points: &[Vec<f32>]) -> Array2<f32> {
    Array2::from_shape_fn((points.len(), 2), |(i, j)| points[i][j])
}

/// An N x 2 array to manifolds-rs layout rows, centred and scaled so its standard deviation
/// per axis is at most `std` (keeping the aspect ratio). A layout with no spread at all
/// (every image at one point) gets none: the caller falls back to another start.
fn to_rows_scaled(layout: ArrayView2<f32>, std: Option<f32>) -> Option<Vec<Vec<f32>>> {
    let n = layout.nrows() as f64;
    let mean: Vec<f64> = (0..2)
        .map(|j| layout.column(j).iter().map(|&v| v as f64).sum::<f64>() / n)
        .collect();
    let sd = (0..2)
        .map(|j| {
            let var = layout
                .column(j)
                .iter()
                .map(|&v| (v as f64 - mean[j]).powi(2))
                .sum::<f64>()
                / n;
            var.sqrt()
        })
        .fold(0.0f64, f64::max);
    if sd.is_nan() || sd <= 1e-12 {
        return None;
    }
    let scale = std.map_or(1.0, |s| s as f64 / sd);
    Some(
        layout
            .rows()
            .into_iter()
            .map(|r| {
                vec![
                    ((r[0] as f64 - mean[0]) * scale) as f32,
                    ((r[1] as f64 - mean[1]) * scale) as f32,
                ]
            })
            .collect(),
    )
}

/// Seeded Gaussian layout with the given standard deviation, for inputs with no spread.
fn random_rows(n: usize, std: f32, seed: u64) -> Vec<Vec<f32>> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let x: f32 = StandardNormal.sample(&mut rng);
            let y: f32 = StandardNormal.sample(&mut rng);
            vec![x * std, y * std]
        })
        .collect()
}

/// True if the layout spreads its points (so optimisers and alignment have something to
/// work with) and is finite.
fn has_spread(rows: &[Vec<f32>]) -> bool {
    let Some(first) = rows.first() else {
        return false;
    };
    rows.iter().all(|r| r.iter().all(|v| v.is_finite()))
        && rows
            .iter()
            .any(|r| (r[0] - first[0]).abs() > 1e-9 || (r[1] - first[1]).abs() > 1e-9)
}

#[cfg(test)]
pub(crate) mod testdata;
