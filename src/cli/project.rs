//! `deepscope project`: a 2-D map of a layer at a step.

use clap::Args;

use super::common::Selection;
use super::maps::{MapArgs, map};
use super::{CliResult, write_json};
use crate::analysis::Method;
use crate::query::select::DefaultLayer;

#[derive(Debug, Args)]
pub struct ProjectArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Projection method
    #[arg(long, value_enum, default_value_t = Method::Pca)]
    pub method: Method,
    #[command(flatten)]
    pub map: MapArgs,
}

#[derive(serde::Serialize)]
struct ProjectJson {
    step: i64,
    layer: String,
    method: String,
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
    /// PCA: the step whose principal axes the map is drawn on.
    #[serde(skip_serializing_if = "Option::is_none")]
    axes_from: Option<i64>,
    /// Whether the map came from the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    cached: Option<bool>,
}

pub fn run(args: &ProjectArgs, out: &mut dyn std::io::Write) -> CliResult {
    let r = args.selection.resolve(DefaultLayer::Features)?;
    let projection = map(&r, args.method, &args.map)?;
    // The JSON names the method as `--method` does.
    let method_name = clap::ValueEnum::to_possible_value(&args.method)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let nonlinear = args.method.is_nonlinear();
    let (seed, init_from, cached) = match nonlinear {
        false => (None, None, None),
        true => (
            Some(args.map.seed),
            args.map.init_from.filter(|&s| s != r.at.step),
            Some(projection.from_cache),
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
                step: r.at.step,
                layer: r.at.layer.name.clone(),
                method: method_name,
                points,
                explained_variance_ratio: projection.explained,
                kl: projection.kl,
                perplexity: projection.perplexity_used,
                seed,
                init_from,
                axes_from: args.map.axes_from,
                cached,
            },
        );
    }
    writeln!(
        out,
        "{} of layer '{}' at step {}: {} images",
        args.method.name(),
        crate::text::escape(&r.at.layer.name),
        r.at.step,
        points.len()
    )?;
    if let (Some(kl), Some(p)) = (projection.kl, projection.perplexity_used) {
        let reduced = if p < args.map.perplexity {
            format!(", reduced from {:.1}: too few images", args.map.perplexity)
        } else {
            String::new()
        };
        writeln!(out, "KL divergence: {kl:.4} (perplexity {p:.1}{reduced})")?;
    }
    if let Some([a, b]) = projection.explained {
        let axes = match args.map.axes_from {
            Some(s) => format!(" (on the principal axes of step {s})"),
            None => String::new(),
        };
        writeln!(
            out,
            "explained variance: {:.1}% + {:.1}%{axes}",
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
