//! 2-D maps of a stored layer by PCA, t-SNE or UMAP, the last two through the disk cache:
//! what `deepscope project` and the viewer's projection share. A map can start from another
//! step's map (the neighbouring checkpoint) and is aligned to it, so stepping through
//! training moves points instead of reshuffling them.

use ndarray::ArrayView2;

use super::error::{Error, Result};
use super::mapcache::{CachedMap, MapCache, MapKey};
use crate::analysis::align::align_to;
use crate::analysis::nonlinear::tsne::tsne_2d_reporting;
use crate::analysis::nonlinear::umap::umap_2d_reporting;
use crate::analysis::nonlinear::{Stage, TsneParams, UmapParams};
use crate::analysis::project::{PcaBasis, pca_2d, pca_basis};
use crate::analysis::{AnalysisError, Method};
use crate::model::StepId;
use crate::store::Store;

/// The settings a user can change; everything else is the methods' defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSettings {
    /// t-SNE perplexity (effective number of neighbours); reduced for small layers.
    pub perplexity: f64,
    /// The same seed gives the same map.
    pub seed: u64,
}

impl Default for MapSettings {
    fn default() -> Self {
        MapSettings {
            perplexity: 30.0,
            seed: 0,
        }
    }
}

impl MapSettings {
    pub fn tsne(&self) -> TsneParams {
        TsneParams {
            perplexity: self.perplexity,
            seed: self.seed,
            ..TsneParams::default()
        }
    }

    pub fn umap(&self) -> UmapParams {
        UmapParams {
            seed: self.seed,
            ..UmapParams::default()
        }
    }

    /// Everything that changes a t-SNE or UMAP map, for its cache key (`None` for PCA,
    /// which is not cached). The version after the method is raised whenever the same
    /// settings start giving a different map (t-SNE v2: images held in Z-order, v3:
    /// openTSNE's step sizes, v4: affinities from deepscope's exact neighbours, v5: their
    /// Gaussians fitted on distances relative to the nearest, openTSNE's gains rule, 4
    /// interpolation nodes per box in the plain phase; UMAP v3: umap-learn's SGD instead
    /// of manifolds-rs's Adam, v4: edges fall due by their weight, v5: the fuzzy graph
    /// built as umap-learn builds it).
    fn describe(&self, method: Method, start: Option<StepId>) -> Option<String> {
        let start = start.map_or("fresh".to_string(), |s| format!("from-step-{s}"));
        Some(match method {
            Method::Pca => return None,
            Method::Tsne => {
                let p = self.tsne();
                format!(
                    "tsne v5 perplexity={} seed={} iterations={} exaggeration={}x{} lr={:?} init={start}",
                    p.perplexity,
                    p.seed,
                    p.iterations,
                    p.exaggeration,
                    p.exaggeration_iterations,
                    p.learning_rate
                )
            }
            Method::Umap => {
                let p = self.umap();
                format!(
                    "umap v5 neighbours={} min_dist={} seed={} epochs={:?} init={start}",
                    p.neighbours, p.min_dist, p.seed, p.epochs
                )
            }
        })
    }
}

/// A map and what is reported with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    /// N x 2, row i = image i.
    pub points: ndarray::Array2<f32>,
    /// PCA: the fraction of the variance on each axis.
    pub explained: Option<[f64; 2]>,
    /// t-SNE: KL divergence of these points (exact normaliser).
    pub kl: Option<f64>,
    /// t-SNE: the perplexity used (below the requested one for small layers).
    pub perplexity_used: Option<f64>,
    /// Whether the map came from the disk cache.
    pub from_cache: bool,
}

/// What a map is of, and how it is made.
#[derive(Debug, Clone)]
pub struct MapRequest<'a> {
    pub step: StepId,
    pub layer: &'a str,
    pub method: Method,
    pub settings: &'a MapSettings,
    /// Another step's map (same images and method) to start from (t-SNE, UMAP) and align to.
    pub start: Option<(StepId, ArrayView2<'a, f32>)>,
    /// PCA: draw on these fixed axes (fitted at the given step, see [`pca_basis_at`]) instead
    /// of the step's own; the map is then not aligned, as the axes already agree.
    pub basis: Option<(StepId, &'a PcaBasis)>,
    /// Recompute even if the cache has the map.
    pub fresh: bool,
}

/// The first two principal axes of `layer` at `step`, on which other steps can be drawn.
pub fn pca_basis_at(store: &Store, step: StepId, layer: &str) -> Result<PcaBasis> {
    let x = store.load(step, layer)?;
    pca_basis(x.view()).map_err(|source| Error::Analysis {
        db: store.path().to_path_buf(),
        what: "",
        source,
    })
}

/// The map of `request`: PCA computed at once; t-SNE and UMAP from `cache` when it has them
/// (unless `fresh`), else computed and stored there. `stage` hears each stage of a t-SNE or
/// UMAP computation as it starts.
pub fn layer_map(
    store: &Store,
    request: &MapRequest,
    cache: Option<&MapCache>,
    stage: &mut dyn FnMut(Stage),
) -> Result<Map> {
    // PCA's messages say enough on their own ("needs at least 1 image"); t-SNE's and
    // UMAP's name the method.
    let what = if request.method.is_nonlinear() {
        request.method.name()
    } else {
        ""
    };
    let failed = |source: AnalysisError| Error::Analysis {
        db: store.path().to_path_buf(),
        what,
        source,
    };
    if request.method == Method::Tsne {
        // Checked before any loading, so a bad value is reported as such.
        request.settings.tsne().check().map_err(failed)?;
    }
    let key = request
        .settings
        .describe(request.method, request.start.map(|(s, _)| s))
        .and_then(|d| MapKey::new(store.path(), request.step, request.layer, &d).ok());
    if !request.fresh
        && let (Some(cache), Some(key)) = (cache, &key)
        && let Some(map) = cache.load(key)
        && map.points.nrows() == store.catalog().num_images()
    {
        return Ok(from_cached(map, true));
    }
    let x = store.load(request.step, request.layer)?;
    let start = request.start.map(|(_, p)| p);
    let map = match request.method {
        Method::Pca => {
            let p = match request.basis {
                Some((_, basis)) => basis.project(x.view()).map_err(failed)?,
                None => {
                    let mut p = pca_2d(x.view()).map_err(failed)?;
                    if let Some(reference) = start {
                        align_to(&mut p.points, reference);
                    }
                    p
                }
            };
            return Ok(Map {
                points: p.points,
                explained: p.explained_variance_ratio,
                kl: None,
                perplexity_used: None,
                from_cache: false,
            });
        }
        Method::Tsne => {
            let m = tsne_2d_reporting(x.view(), &request.settings.tsne(), start, stage)
                .map_err(failed)?;
            CachedMap {
                points: m.points,
                kl: Some(m.kl),
                perplexity_used: Some(m.perplexity_used),
            }
        }
        Method::Umap => {
            let m = umap_2d_reporting(x.view(), &request.settings.umap(), start, stage)
                .map_err(failed)?;
            CachedMap {
                points: m.points,
                kl: None,
                perplexity_used: None,
            }
        }
    };
    if let (Some(cache), Some(key)) = (cache, &key) {
        // A cache that cannot be written only costs a recomputation next time.
        let _ = cache.store(key, &map);
    }
    Ok(from_cached(map, false))
}

fn from_cached(map: CachedMap, from_cache: bool) -> Map {
    Map {
        points: map.points,
        explained: None,
        kl: map.kl,
        perplexity_used: map.perplexity_used,
        from_cache,
    }
}
