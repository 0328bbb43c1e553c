//! UMAP to 2-D: the fuzzy simplicial set built as umap-learn builds it (`umap_graph.rs`),
//! the spectral start from manifolds-rs, the layout by umap-learn's edge-sampling SGD
//! (`umap_layout.rs`, which says why).
//!
//! As for t-SNE, the engine's stages are called one by one so that a map can start from a
//! given layout (the neighbouring step's) instead of the spectral one.

use manifolds_rs::data::init::{EmbdInit, initialise_embedding};
use manifolds_rs::prelude::{ManifoldsMatrix, UmapOptimParams};
use ndarray::{Array2, ArrayView2};

use super::locality::MemoryOrder;
use super::umap_graph::fuzzy_graph;
use super::umap_layout::{LayoutSettings, optimise_layout};
use super::{Stage, check_input, has_spread, random_rows, row_major, to_rows_scaled};
use crate::analysis::AnalysisError;
use crate::analysis::align::align_rigid;

/// Fewest images UMAP is run on: it needs at least two neighbours per image.
pub const MIN_IMAGES: usize = 4;

/// Spread of the layout given to a layer without any (umap-learn's spectral range is 10).
const FALLBACK_INIT_STD: f32 = 5.0;

/// Settings of one UMAP run. Checked by [`UmapParams::check`] before any work.
#[derive(Debug, Clone, PartialEq)]
pub struct UmapParams {
    /// Neighbours per image in the fuzzy graph, the image itself counted, as umap-learn's
    /// `n_neighbors`; capped at N for small layers.
    pub neighbours: usize,
    /// How tightly points may pack in the map (umap-learn's `min_dist`).
    pub min_dist: f64,
    /// Seed of every random choice: the same seed gives the same map.
    pub seed: u64,
    /// Optimisation epochs; `None` takes umap-learn's rule: 500 up to 10,000 images, 200
    /// above (large graphs have more edges sampled per epoch).
    pub epochs: Option<usize>,
}

impl Default for UmapParams {
    fn default() -> Self {
        Self {
            neighbours: 15,
            min_dist: 0.1,
            seed: 0,
            epochs: None,
        }
    }
}

impl UmapParams {
    /// Rejects settings the engine cannot run.
    pub fn check(&self) -> Result<(), AnalysisError> {
        let bad = |m: String| Err(AnalysisError::BadParameter(m));
        if self.neighbours < 2 {
            return bad(format!(
                "neighbours must be at least 2, got {}",
                self.neighbours
            ));
        }
        if !(self.min_dist.is_finite() && self.min_dist >= 0.0 && self.min_dist < 1.0) {
            return bad(format!("min_dist must be in [0, 1), got {}", self.min_dist));
        }
        if let Some(e) = self.epochs
            && (e == 0 || e > 100_000)
        {
            return bad(format!("epochs must be between 1 and 100000, got {e}"));
        }
        Ok(())
    }

    /// The epochs run for `n` images.
    pub fn epochs_for(&self, n: usize) -> usize {
        self.epochs.unwrap_or(if n <= 10_000 { 500 } else { 200 })
    }
}

/// A UMAP map and how it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct UmapMap {
    /// N x 2, row i = image i.
    pub points: Array2<f32>,
    /// Neighbours per image actually used (below the requested number for tiny layers).
    pub neighbours_used: usize,
}

/// UMAP of the rows of `x` (N x dim) to 2-D. With `init` (N x 2, e.g. the neighbouring
/// step's map) the optimisation starts there and the result is rigidly aligned to it;
/// without, it starts from the spectral layout of the neighbour graph.
pub fn umap_2d(
    x: ArrayView2<f32>,
    params: &UmapParams,
    init: Option<ArrayView2<f32>>,
) -> Result<UmapMap, AnalysisError> {
    umap_2d_reporting(x, params, init, &mut |_| {})
}

/// [`umap_2d`], calling `stage` as each stage starts.
pub fn umap_2d_reporting(
    x: ArrayView2<f32>,
    params: &UmapParams,
    init: Option<ArrayView2<f32>>,
    stage: &mut dyn FnMut(Stage),
) -> Result<UmapMap, AnalysisError> {
    params.check()?;
    let (n, dim) = check_input(x, init, MIN_IMAGES)?;
    let engine = |e: manifolds_rs::prelude::ManifoldsError| AnalysisError::Numerical(e.to_string());

    stage(Stage::Neighbours);
    let neighbours_used = params.neighbours.min(n);
    let epochs = params.epochs_for(n);
    let optim = UmapOptimParams::from_min_dist_spread(
        params.min_dist as f32,
        1.0,
        None,
        None,
        Some(epochs),
        None,
        None,
        None,
        None,
    );
    let data = row_major(x);
    let graph = fuzzy_graph(&data, dim, neighbours_used, epochs, params.seed)?;

    stage(Stage::Initialising);
    let mut rows = match init.and_then(|l| to_rows_scaled(l, None)) {
        Some(rows) => rows,
        None => {
            let matrix = (data.as_slice(), n, dim);
            let input = matrix.to_mat_input();
            let spectral = EmbdInit::SpectralInit { range: None };
            initialise_embedding(&spectral, 2, params.seed, &graph, input.as_mat_ref())
                .map_err(engine)?
        }
    };
    if !has_spread(&rows) {
        rows = random_rows(n, FALLBACK_INIT_STD, params.seed);
    }

    stage(Stage::Optimising);
    let order = MemoryOrder::along(&rows);
    let mut graph = graph;
    order.renumber(&mut graph);
    let mut positions: Vec<[f32; 2]> = order.arrange(&rows).iter().map(|r| [r[0], r[1]]).collect();
    let settings = LayoutSettings {
        a: optim.a,
        b: optim.b,
        epochs,
        negative_rate: optim.neg_sample_rate,
        repulsion: 1.0,
        learning_rate: 1.0,
        seed: params.seed,
    };
    optimise_layout(&mut positions, &graph, &settings);

    stage(Stage::Finishing);
    let mut points = order.restore(&positions);
    if points.iter().any(|v| !v.is_finite()) {
        return Err(AnalysisError::Numerical(
            "the optimiser produced non-finite coordinates".into(),
        ));
    }
    if let Some(reference) = init {
        align_rigid(&mut points, reference);
    }
    Ok(UmapMap {
        points,
        neighbours_used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::nonlinear::testdata::{blobs, knn10_accuracy, relative_displacement};

    fn quick(seed: u64) -> UmapParams {
        UmapParams {
            seed,
            epochs: Some(200),
            ..UmapParams::default()
        }
    }

    #[test]
    fn separates_well_separated_blobs() {
        let (x, labels) = blobs(400, 16, 4, 8.0, 11);
        let map = umap_2d(x.view(), &quick(0), None).unwrap();
        assert_eq!(map.points.dim(), (400, 2));
        let acc = knn10_accuracy(map.points.view(), &labels);
        assert!(acc >= 0.9, "10-NN accuracy {acc}");
        assert_eq!(map.neighbours_used, 15);
    }

    #[test]
    fn same_seed_same_map() {
        let (x, _) = blobs(300, 8, 3, 6.0, 12);
        let a = umap_2d(x.view(), &quick(3), None).unwrap();
        let b = umap_2d(x.view(), &quick(3), None).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn map_started_from_its_neighbour_stays_aligned() {
        let (x0, labels) = blobs(400, 16, 4, 8.0, 13);
        let (noise, _) = blobs(400, 16, 4, 0.0, 14);
        let x1 = &x0 + &(noise * 0.2);
        let first = umap_2d(x0.view(), &quick(0), None).unwrap();
        let next = umap_2d(x1.view(), &quick(0), Some(first.points.view())).unwrap();
        let moved = relative_displacement(next.points.view(), first.points.view());
        assert!(moved < 0.25, "points moved {moved} of the map's spread");
        assert!(knn10_accuracy(next.points.view(), &labels) >= 0.9);
    }

    #[test]
    fn degenerate_layers_give_finite_maps() {
        let constant = Array2::from_elem((60, 5), -2.0f32);
        let map = umap_2d(constant.view(), &quick(0), None).unwrap();
        assert!(map.points.iter().all(|v| v.is_finite()));

        let (five, _) = blobs(5, 3, 2, 4.0, 15);
        let map = umap_2d(five.view(), &quick(0), None).unwrap();
        assert_eq!(map.neighbours_used, 5);
        assert!(map.points.iter().all(|v| v.is_finite()));

        let three = Array2::<f32>::zeros((3, 2));
        assert!(matches!(
            umap_2d(three.view(), &quick(0), None),
            Err(AnalysisError::TooFewImages { got: 3, .. })
        ));
        let bad = UmapParams {
            neighbours: 1,
            ..UmapParams::default()
        };
        assert!(matches!(
            umap_2d(five.view(), &bad, None),
            Err(AnalysisError::BadParameter(_))
        ));
    }
}
