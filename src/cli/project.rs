//! `deepscope project`: a 2-D map of a layer at a step.

use clap::{Args, ValueEnum};

use super::common::{Selection, features_layer};
use super::{CliError, CliResult, write_json};
use crate::analysis::project::pca_2d;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    Pca,
}

#[derive(Debug, Args)]
pub struct ProjectArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Projection method
    #[arg(long, value_enum, default_value_t = MethodArg::Pca)]
    pub method: MethodArg,
}

#[derive(serde::Serialize)]
struct ProjectJson {
    step: i64,
    layer: String,
    method: &'static str,
    /// [x, y] per image, indexed by image id.
    points: Vec<[f32; 2]>,
    explained_variance_ratio: Option<[f64; 2]>,
}

pub fn run(args: &ProjectArgs, out: &mut dyn std::io::Write) -> CliResult {
    let r = args.selection.resolve(features_layer)?;
    let values = r.load()?;
    let projection = match args.method {
        MethodArg::Pca => pca_2d(values.view())
            .map_err(|e| CliError::Input(format!("{}: {e}", r.store.path().display())))?,
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
                method: "pca",
                points,
                explained_variance_ratio: projection.explained_variance_ratio,
            },
        );
    }
    writeln!(
        out,
        "PCA of layer '{}' at step {}: {} images",
        r.layer.name,
        r.step,
        points.len()
    )?;
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
