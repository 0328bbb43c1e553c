//! t-SNE and UMAP for `deepscope project`: options, the starting layout from another step,
//! and a progress line on stderr when it is a terminal.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use clap::Args;

use super::CliError;
use super::common::Resolved;
use crate::analysis::AnalysisError;
use crate::analysis::nonlinear::Stage;
use crate::mapcache::MapCache;
use crate::maps::{MapFailure, MapOutcome, MapRequest, MapSettings, Nonlinear, layer_map};
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

/// The map of the resolved step and layer: from the cache unless `--fresh`, else computed
/// (after the `--init-from` step's map, itself cached) and stored.
pub fn nonlinear_map(
    r: &Resolved,
    method: Nonlinear,
    args: &MapArgs,
) -> Result<MapOutcome, CliError> {
    let settings = MapSettings {
        perplexity: args.perplexity,
        seed: args.seed,
    };
    if method == Nonlinear::Tsne {
        // Checked before any loading so a bad value is reported as such.
        settings
            .tsne()
            .check()
            .map_err(|e| map_error(r, method, e.into()))?;
    }
    let cache = MapCache::from_env();
    let start = match args.init_from {
        Some(step) if step != r.step => {
            r.store.check_available(step, &r.layer.name)?;
            let request = MapRequest {
                step,
                layer: &r.layer.name,
                method,
                settings: &settings,
                start: None,
                fresh: args.fresh,
            };
            Some((step, map_at(r, &request, cache.as_ref())?.map.points))
        }
        _ => None,
    };
    let request = MapRequest {
        step: r.step,
        layer: &r.layer.name,
        method,
        settings: &settings,
        start: start.as_ref().map(|(s, p)| (*s, p.view())),
        fresh: args.fresh,
    };
    map_at(r, &request, cache.as_ref())
}

fn map_at(
    r: &Resolved,
    request: &MapRequest,
    cache: Option<&MapCache>,
) -> Result<MapOutcome, CliError> {
    let mut progress = Progress::new(request.method.name(), request.layer, request.step);
    let outcome = layer_map(&r.store, request, cache, &mut |s| progress.stage(s))
        .map_err(|e| map_error(r, request.method, e))?;
    if !outcome.from_cache {
        progress.done();
    }
    Ok(outcome)
}

fn map_error(r: &Resolved, method: Nonlinear, e: MapFailure) -> CliError {
    match e {
        MapFailure::Store(e) => e.into(),
        MapFailure::Analysis(e) => {
            let message = format!("{}: {} {e}", r.store.path().display(), method.name());
            match e {
                AnalysisError::Numerical(_) => CliError::Internal(message),
                _ => CliError::Input(message),
            }
        }
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
        self.show(stage.describe());
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
