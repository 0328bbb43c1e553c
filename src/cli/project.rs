//! `deepscope project`: a 2-D map of a layer at a step.

use clap::{Args, ValueEnum};

use super::common::{Selection, features_layer};
use super::maps::{MapArgs, nonlinear_map};
use super::{CliError, CliResult, write_json};
use crate::analysis::project::pca_2d;
use crate::maps::Nonlinear;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    Pca,
    Tsne,
    Umap,
}

#[derive(Debug, Args)]
pub struct ProjectArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Projection method
    #[arg(long, value_enum, default_value_t = MethodArg::Pca)]
    pub method: MethodArg,
    #[command(flatten)]
    pub map: MapArgs,
}

#[derive(serde::Serialize)]
struct ProjectJson {
    step: i64,
    layer: String,
    method: &'static str,
    /// [x, y] per image, indexed by image id.
    points: Vec<[f32; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explained_variance_ratio: Option<[f64; 2]>,
    /// t-SNE: KL divergence of these points (exact normaliser).
    #[serde(skip_serializing_if = "Option::is_none")]
    kl: Option<f64>,
    /// t-SNE: perplexity used (below the requested one for small layers).
    #[serde(skip_serializing_if = "Option::is_none")]
    perplexity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    /// Step whose map this one started from and is aligned to.
    #[serde(skip_serializing_if = "Option::is_none")]
    init_from: Option<i64>,
    /// Whether the map came from the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    cached: Option<bool>,
}

/// The computed map and what is reported with it.
struct Outcome {
    points: ndarray::Array2<f32>,
    explained_variance_ratio: Option<[f64; 2]>,
    kl: Option<f64>,
    perplexity: Option<f64>,
    cached: Option<bool>,
}

pub fn run(args: &ProjectArgs, out: &mut dyn std::io::Write) -> CliResult {
    let r = args.selection.resolve(features_layer)?;
    let nonlinear = match args.method {
        MethodArg::Pca => None,
        MethodArg::Tsne => Some(Nonlinear::Tsne),
        MethodArg::Umap => Some(Nonlinear::Umap),
    };
    let projection = match nonlinear {
        None => {
            let p = pca_2d(r.load()?.view())
                .map_err(|e| CliError::Input(format!("{}: {e}", r.store.path().display())))?;
            Outcome {
                points: p.points,
                explained_variance_ratio: p.explained_variance_ratio,
                kl: None,
                perplexity: None,
                cached: None,
            }
        }
        Some(method) => {
            let m = nonlinear_map(&r, method, &args.map)?;
            Outcome {
                points: m.map.points,
                explained_variance_ratio: None,
                kl: m.map.kl,
                perplexity: m.map.perplexity_used,
                cached: Some(m.from_cache),
            }
        }
    };
    let method_name = match args.method {
        MethodArg::Pca => "pca",
        MethodArg::Tsne => "tsne",
        MethodArg::Umap => "umap",
    };
    let (seed, init_from) = match nonlinear {
        None => (None, None),
        Some(_) => (
            Some(args.map.seed),
            args.map.init_from.filter(|&s| s != r.step),
        ),
    };
    let points: Vec<[f32; 2]> = projection
        .points
        .rows()
        .into_iter()
        .map(|p| [p[0], p[1]])
        .collect();
    if args.selection.json {
        return write_json(
            out,
            &ProjectJson {
                step: r.step,
                layer: r.layer.name.clone(),
                method: method_name,
                points,
                explained_variance_ratio: projection.explained_variance_ratio,
                kl: projection.kl,
                perplexity: projection.perplexity,
                seed,
                init_from,
                cached: projection.cached,
            },
        );
    }
    writeln!(
        out,
        "{} of layer '{}' at step {}: {} images",
        method_name.to_uppercase().replace("TSNE", "t-SNE"),
        r.layer.name,
        r.step,
        points.len()
    )?;
    if let (Some(kl), Some(p)) = (projection.kl, projection.perplexity) {
        let reduced = if p < args.map.perplexity {
            format!(", reduced from {}: too few images", args.map.perplexity)
        } else {
            String::new()
        };
        writeln!(out, "KL divergence: {kl:.4} (perplexity {p}{reduced})")?;
    }
    if let Some([a, b]) = projection.explained_variance_ratio {
        writeln!(
            out,
            "explained variance: {:.1}% + {:.1}%",
            a * 100.0,
            b * 100.0
        )?;
    }
    writeln!(out, "{:>8} {:>6} {:>12} {:>12}", "image", "label", "x", "y")?;
    let labels = &r.store.catalog().labels;
    for (i, p) in points.iter().enumerate() {
        writeln!(
            out,
            "{i:>8} {:>6} {:>12.4} {:>12.4}",
            r.class_name(labels[i]),
            p[0],
            p[1]
        )?;
    }
    Ok(())
}
