//! t-SNE and UMAP maps of a stored layer, through the map cache: what `deepscope project`
//! and the viewer's projection share. A map can start from another step's map (the
//! neighbouring checkpoint), so stepping through training moves points instead of
//! reshuffling them.

use ndarray::ArrayView2;

use crate::analysis::AnalysisError;
use crate::analysis::nonlinear::tsne::tsne_2d_reporting;
use crate::analysis::nonlinear::umap::umap_2d_reporting;
use crate::analysis::nonlinear::{Stage, TsneParams, UmapParams};
use crate::mapcache::{CachedMap, MapCache, MapKey};
use crate::model::StepId;
use crate::store::{Store, StoreError};

/// How a layer is mapped to 2-D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Method {
    /// Principal components: linear, exact, instant.
    #[default]
    Pca,
    /// t-SNE: local neighbourhoods, sub-groups inside classes; seconds.
    Tsne,
    /// UMAP: like t-SNE, with more of the global layout kept.
    Umap,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Pca, Method::Tsne, Method::Umap];

    pub fn name(self) -> &'static str {
        match self {
            Method::Pca => "PCA",
            Method::Tsne => "t-SNE",
            Method::Umap => "UMAP",
        }
    }

    pub fn nonlinear(self) -> Option<Nonlinear> {
        match self {
            Method::Pca => None,
            Method::Tsne => Some(Nonlinear::Tsne),
            Method::Umap => Some(Nonlinear::Umap),
        }
    }

    /// The next method, for a key that cycles through them.
    pub fn next(self) -> Method {
        let i = Method::ALL.iter().position(|&m| m == self).unwrap_or(0);
        Method::ALL[(i + 1) % Method::ALL.len()]
    }
}

/// Which nonlinear method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nonlinear {
    Tsne,
    Umap,
}

impl Nonlinear {
    pub fn name(self) -> &'static str {
        match self {
            Nonlinear::Tsne => "t-SNE",
            Nonlinear::Umap => "UMAP",
        }
    }
}

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

    /// Everything that changes a map, for its cache key. The version after the method is
    /// raised whenever the same settings start giving a different map (t-SNE v2: images held
    /// in Z-order, v3: openTSNE's step size after exaggeration; UMAP v3: umap-learn's SGD instead of manifolds-rs's Adam).
    fn describe(&self, method: Nonlinear, start: Option<StepId>) -> String {
        let start = start.map_or("fresh".to_string(), |s| format!("from-step-{s}"));
        match method {
            Nonlinear::Tsne => {
                let p = self.tsne();
                format!(
                    "tsne v3 perplexity={} seed={} iterations={} exaggeration={}x{} lr={:?} init={start}",
                    p.perplexity,
                    p.seed,
                    p.iterations,
                    p.exaggeration,
                    p.exaggeration_iterations,
                    p.learning_rate
                )
            }
            Nonlinear::Umap => {
                let p = self.umap();
                format!(
                    "umap v5 neighbours={} min_dist={} seed={} epochs={:?} init={start}",
                    p.neighbours, p.min_dist, p.seed, p.epochs
                )
            }
        }
    }
}

/// Why a map could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MapFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Analysis(#[from] AnalysisError),
}

/// A map and whether it came from the cache.
#[derive(Debug, Clone)]
pub struct MapOutcome {
    pub map: CachedMap,
    pub from_cache: bool,
}

/// What a map is of, and how it is made.
#[derive(Debug, Clone)]
pub struct MapRequest<'a> {
    pub step: StepId,
    pub layer: &'a str,
    pub method: Nonlinear,
    pub settings: &'a MapSettings,
    /// Another step's map (same images) to start from and align to.
    pub start: Option<(StepId, ArrayView2<'a, f32>)>,
    /// Recompute even if the cache has the map.
    pub fresh: bool,
}

/// The map from `cache` when it has it (unless `fresh`), else computed and stored there.
/// `stage` hears each stage of a computation as it starts.
pub fn layer_map(
    store: &Store,
    request: &MapRequest,
    cache: Option<&MapCache>,
    stage: &mut dyn FnMut(Stage),
) -> Result<MapOutcome, MapFailure> {
    let key = MapKey::new(
        store.path(),
        request.step,
        request.layer,
        &request
            .settings
            .describe(request.method, request.start.map(|(s, _)| s)),
    )
    .ok();
    if !request.fresh
        && let (Some(cache), Some(key)) = (cache, &key)
        && let Some(map) = cache.load(key)
        && map.points.nrows() == store.catalog().num_images()
    {
        return Ok(MapOutcome {
            map,
            from_cache: true,
        });
    }
    let x = store.load(request.step, request.layer)?;
    let start = request.start.map(|(_, p)| p);
    let map = match request.method {
        Nonlinear::Tsne => {
            let m = tsne_2d_reporting(x.view(), &request.settings.tsne(), start, stage)?;
            CachedMap {
                points: m.points,
                kl: Some(m.kl),
                perplexity_used: Some(m.perplexity_used),
            }
        }
        Nonlinear::Umap => {
            let m = umap_2d_reporting(x.view(), &request.settings.umap(), start, stage)?;
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
    Ok(MapOutcome {
        map,
        from_cache: false,
    })
}
