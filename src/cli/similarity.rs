//! `deepscope similarity`: the class-similarity matrix and its hierarchical ordering.

use clap::Args;
use ndarray::Array2;

use super::common::{Resolved, Selection};
use super::{CliResult, write_json};
use crate::analysis::ordering::Linkage;
use crate::analysis::similarity::SimilaritySource;
use crate::query::select::DefaultLayer;
use crate::query::similarity::source_matrix;

#[derive(Debug, Args)]
pub struct SimilarityArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// What the similarity is computed from
    #[arg(long, value_enum, default_value_t = SimilaritySource::Logits)]
    pub source: SimilaritySource,
    /// Linkage of the hierarchical clustering that orders the classes
    #[arg(long, value_enum, default_value_t = Linkage::Average)]
    pub linkage: Linkage,
}

#[derive(serde::Serialize)]
struct SimilarityJson {
    step: i64,
    classes: Vec<String>,
    /// Class ids in display order.
    order: Vec<usize>,
    /// K x K, in class-id order (not display order).
    matrix: Vec<Vec<f64>>,
}

pub fn run(args: &SimilarityArgs, out: &mut dyn std::io::Write) -> CliResult {
    let default_layer = match args.source {
        SimilaritySource::Centroids => DefaultLayer::Features,
        _ => DefaultLayer::Prediction,
    };
    let r = args.selection.resolve(default_layer)?;
    let m = source_matrix(&r.store, &r.at, args.source)?;
    print(args, &r, m.order(args.linkage).order, m.shown, out)
}

fn print(
    args: &SimilarityArgs,
    r: &Resolved,
    order: Vec<usize>,
    matrix: Array2<f64>,
    out: &mut dyn std::io::Write,
) -> CliResult {
    let classes = &r.store.catalog().classes;
    if args.selection.json {
        return write_json(
            out,
            &SimilarityJson {
                step: r.at.step,
                classes: classes.clone(),
                order,
                matrix: matrix.rows().into_iter().map(|row| row.to_vec()).collect(),
            },
        );
    }
    writeln!(
        out,
        "{:?} similarity at step {}, ordered by {:?} linkage",
        args.source, r.at.step, args.linkage
    )?;
    write!(out, "{:>10}", "")?;
    for &j in &order {
        write!(out, " {:>7.7}", r.class_name(j as u32))?;
    }
    writeln!(out)?;
    for &i in &order {
        write!(out, "{:>10.10}", r.class_name(i as u32))?;
        for &j in &order {
            write!(out, " {:>7.3}", matrix[[i, j]])?;
        }
        writeln!(out)?;
    }
    Ok(())
}
