//! t-SNE and UMAP for `deepscope project`: settings, the map cache, the starting layout
//! from another step, and a progress line on stderr when it is a terminal.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use clap::Args;

use super::CliError;
use super::common::Resolved;
use crate::analysis::AnalysisError;
use crate::analysis::nonlinear::tsne::tsne_2d_reporting;
use crate::analysis::nonlinear::umap::umap_2d_reporting;
use crate::analysis::nonlinear::{Stage, TsneParams, UmapParams};
use crate::mapcache::{CachedMap, MapCache, MapKey};
use crate::model::StepId;

/// Options of the nonlinear methods.
#[derive(Debug, Args, Clone)]
pub struct MapArgs {
    /// t-SNE perplexity (effective number of neighbours); reduced for small layers
    #[arg(long, default_value_t = 30.0)]
    pub perplexity: f64,
    /// Seed of t-SNE/UMAP: the same seed gives the same map
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Start from this step's map (same layer and settings) and align the result to it, so
    /// the two maps can be compared point by point
    #[arg(long, value_name = "STEP")]
    pub init_from: Option<StepId>,
    /// Recompute even if a cached map exists (the cache is in $XDG_CACHE_HOME/deepscope)
    #[arg(long)]
    pub fresh: bool,
}

/// Which nonlinear method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nonlinear {
    Tsne,
    Umap,
}

/// A computed (or cached) map.
pub struct MapOutcome {
    pub map: CachedMap,
    pub from_cache: bool,
}

impl Nonlinear {
    fn name(self) -> &'static str {
        match self {
            Nonlinear::Tsne => "t-SNE",
            Nonlinear::Umap => "UMAP",
        }
    }

    /// Everything that changes the map, for the cache key.
    fn describe(self, args: &MapArgs, init: Option<StepId>) -> String {
        let start = init.map_or("fresh".to_string(), |s| format!("from-step-{s}"));
        match self {
            Nonlinear::Tsne => {
                let p = self.tsne_params(args);
                format!(
                    "tsne v1 perplexity={} seed={} iterations={} exaggeration={}x{} lr={:?} init={start}",
                    p.perplexity,
                    p.seed,
                    p.iterations,
                    p.exaggeration,
                    p.exaggeration_iterations,
                    p.learning_rate
                )
            }
            Nonlinear::Umap => {
                let p = self.umap_params(args);
                format!(
                    "umap v1 neighbours={} min_dist={} seed={} epochs={} init={start}",
                    p.neighbours, p.min_dist, p.seed, p.epochs
                )
            }
        }
    }

    fn tsne_params(self, args: &MapArgs) -> TsneParams {
        TsneParams {
            perplexity: args.perplexity,
            seed: args.seed,
            ..TsneParams::default()
        }
    }

    fn umap_params(self, args: &MapArgs) -> UmapParams {
        UmapParams {
            seed: args.seed,
            ..UmapParams::default()
        }
    }
}

/// The map of the resolved step and layer: from the cache unless `--fresh`, else computed
/// (after the `--init-from` step's map, itself cached) and stored.
pub fn nonlinear_map(
    r: &Resolved,
    method: Nonlinear,
    args: &MapArgs,
) -> Result<MapOutcome, CliError> {
    if method == Nonlinear::Tsne {
        // Checked before any loading so a bad value is reported as such.
        method
            .tsne_params(args)
            .check()
            .map_err(|e| map_error(r, method, e))?;
    }
    let cache = MapCache::from_env();
    let init = match args.init_from {
        Some(step) if step != r.step => {
            r.store.check_available(step, &r.layer.name)?;
            Some(map_at(r, method, args, step, None, cache.as_ref())?.map)
        }
        _ => None,
    };
    map_at(r, method, args, r.step, init, cache.as_ref())
}

fn map_at(
    r: &Resolved,
    method: Nonlinear,
    args: &MapArgs,
    step: StepId,
    init: Option<CachedMap>,
    cache: Option<&MapCache>,
) -> Result<MapOutcome, CliError> {
    let init_step = init.as_ref().and(args.init_from);
    let key = MapKey::new(
        r.store.path(),
        step,
        &r.layer.name,
        &method.describe(args, init_step),
    )
    .ok();
    if !args.fresh
        && let (Some(cache), Some(key)) = (cache, &key)
        && let Some(map) = cache.load(key)
    {
        return Ok(MapOutcome {
            map,
            from_cache: true,
        });
    }
    let x = r.store.load(step, &r.layer.name)?;
    let init_points = init.as_ref().map(|m| m.points.view());
    let mut progress = Progress::new(method.name(), &r.layer.name, step);
    let map = match method {
        Nonlinear::Tsne => {
            let m = tsne_2d_reporting(x.view(), &method.tsne_params(args), init_points, &mut |s| {
                progress.stage(s)
            })
            .map_err(|e| map_error(r, method, e))?;
            CachedMap {
                points: m.points,
                kl: Some(m.kl),
                perplexity_used: Some(m.perplexity_used),
            }
        }
        Nonlinear::Umap => {
            let m = umap_2d_reporting(x.view(), &method.umap_params(args), init_points, &mut |s| {
                progress.stage(s)
            })
            .map_err(|e| map_error(r, method, e))?;
            CachedMap {
                points: m.points,
                kl: None,
                perplexity_used: None,
            }
        }
    };
    progress.done();
    if let (Some(cache), Some(key)) = (cache, &key) {
        // A cache that cannot be written only costs a recomputation next time.
        let _ = cache.store(key, &map);
    }
    Ok(MapOutcome {
        map,
        from_cache: false,
    })
}

fn map_error(r: &Resolved, method: Nonlinear, e: AnalysisError) -> CliError {
    let message = format!("{}: {} {e}", r.store.path().display(), method.name());
    match e {
        AnalysisError::Numerical(_) => CliError::Internal(message),
        _ => CliError::Input(message),
    }
}

/// One status line on stderr, rewritten at each stage; silent when stderr is not a terminal
/// (pipes and scripts get clean output).
struct Progress {
    label: String,
    start: Instant,
    on: bool,
}

impl Progress {
    fn new(method: &str, layer: &str, step: StepId) -> Progress {
        Progress {
            label: format!("{method} of '{layer}' at step {step}"),
            start: Instant::now(),
            on: std::io::stderr().is_terminal(),
        }
    }

    fn stage(&mut self, stage: Stage) {
        let what = match stage {
            Stage::Neighbours => "finding neighbours",
            Stage::Initialising => "initialising",
            Stage::Optimising => "optimising",
            Stage::Finishing => "finishing",
        };
        self.show(what);
    }

    fn done(&mut self) {
        self.show("done");
        if self.on {
            eprintln!();
        }
    }

    fn show(&self, what: &str) {
        if self.on {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K{}: {what} ({:.1} s)",
                self.label,
                self.start.elapsed().as_secs_f64()
            );
            let _ = err.flush();
        }
    }
}
