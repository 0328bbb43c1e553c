//! Maps for `deepscope project`: the t-SNE/UMAP options, the starting layout from another
//! step, and a progress line on stderr when it is a terminal.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use clap::Args;

use super::common::Resolved;
use crate::analysis::Method;
use crate::analysis::nonlinear::Stage;
use crate::model::StepId;
use crate::query::mapcache::MapCache;
use crate::query::maps::{Map, MapRequest, MapSettings, layer_map, pca_basis_at};
use crate::query::{Error, Invalid, Result};

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
    /// PCA: draw the map on the principal axes of this step (for example the last), so that
    /// maps of different steps share their axes and differences between them are movements
    /// of the data; the explained variance is then this step's variance on those axes
    #[arg(long, value_name = "STEP")]
    pub axes_from: Option<StepId>,
    /// Recompute even if a cached map exists (the cache is in $XDG_CACHE_HOME/deepscope)
    #[arg(long)]
    pub fresh: bool,
}

/// The map of the resolved step and layer: PCA at once; t-SNE and UMAP from the cache unless
/// `--fresh`, else computed (after the `--init-from` step's map, itself cached) and stored.
pub fn map(r: &Resolved, method: Method, args: &MapArgs) -> Result<Map> {
    let settings = MapSettings {
        perplexity: args.perplexity,
        seed: args.seed,
    };
    let cache = method.is_nonlinear().then(MapCache::from_env).flatten();
    let start = match args.init_from {
        Some(step) if step != r.at.step && method.is_nonlinear() => {
            r.store.check_available(step, &r.at.layer.name)?;
            let request = MapRequest {
                step,
                layer: &r.at.layer.name,
                method,
                settings: &settings,
                start: None,
                basis: None,
                fresh: args.fresh,
            };
            Some((step, map_at(r, &request, cache.as_ref())?.points))
        }
        _ => None,
    };
    let basis = match args.axes_from {
        Some(_) if method != Method::Pca => {
            return Err(Error::Input {
                db: r.store.path().to_path_buf(),
                problem: Invalid::AxesNeedPca,
            });
        }
        Some(step) => {
            r.store.check_available(step, &r.at.layer.name)?;
            Some((step, pca_basis_at(&r.store, step, &r.at.layer.name)?))
        }
        None => None,
    };
    let request = MapRequest {
        step: r.at.step,
        layer: &r.at.layer.name,
        method,
        settings: &settings,
        start: start.as_ref().map(|(s, p)| (*s, p.view())),
        basis: basis.as_ref().map(|(s, b)| (*s, b)),
        fresh: args.fresh,
    };
    map_at(r, &request, cache.as_ref())
}

fn map_at(r: &Resolved, request: &MapRequest, cache: Option<&MapCache>) -> Result<Map> {
    if !request.method.is_nonlinear() {
        return layer_map(&r.store, request, None, &mut |_| {});
    }
    let mut progress = Progress::new(request.method.name(), request.layer, request.step);
    let outcome = layer_map(&r.store, request, cache, &mut |s| progress.stage(s))?;
    if !outcome.from_cache {
        progress.done();
    }
    Ok(outcome)
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
            label: format!(
                "{method} of '{}' at step {step}",
                crate::text::escape(layer)
            ),
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
