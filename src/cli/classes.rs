//! `deepscope classes`: precision, recall, count and the commonest confusion of every class
//! at a step, with their change since the previous step, in the similarity matrix's order.

use std::path::PathBuf;

use clap::Args;

use super::common::class_name;
use super::{CliResult, write_json};
use crate::analysis::class_stats::ClassRow;
use crate::analysis::ordering::Linkage;
use crate::analysis::similarity::SimilaritySource;
use crate::model::StepId;
use crate::query::Result;
use crate::query::classes::{ClassTable, class_table, percent, points, signed};
use crate::query::select::{DefaultLayer, resolve};
use crate::query::similarity::source_matrix;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ClassesArgs {
    /// Stats database
    pub db: PathBuf,
    /// Step (checkpoint) to tabulate (default: the last step with class scores)
    #[arg(long)]
    pub step: Option<StepId>,
    /// The matrix whose hierarchical order the rows follow
    #[arg(long, value_enum, default_value_t = SimilaritySource::Logits)]
    pub source: SimilaritySource,
    /// Linkage of the hierarchical clustering that orders the classes
    #[arg(long, value_enum, default_value_t = Linkage::Average)]
    pub linkage: Linkage,
    /// The step whose matrix orders the rows (default: the last step, as the viewer's
    /// fixed order)
    #[arg(long)]
    pub order_from: Option<StepId>,
    /// Print JSON instead of a readable table
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct ClassesJson<'a> {
    step: StepId,
    /// The step the changes are measured from (null at the first step).
    previous_step: Option<StepId>,
    order_from: StepId,
    classes: Vec<String>,
    /// Class ids in display order.
    order: &'a [usize],
    /// One per class, in display order; fractions, changes as differences of fractions.
    rows: Vec<&'a ClassRow>,
}

pub fn run(args: &ClassesArgs, out: &mut dyn std::io::Write) -> CliResult {
    let store = Store::open(&args.db)?;
    let at = resolve(&store, None, args.step, DefaultLayer::Prediction)?;
    let table = class_table(&store, at.step)?;
    let (order_from, order) = order(&store, args)?;
    let rows: Vec<&ClassRow> = order.iter().filter_map(|&c| table.rows.get(c)).collect();
    if args.json {
        return write_json(
            out,
            &ClassesJson {
                step: table.step,
                previous_step: table.previous,
                order_from,
                classes: store.catalog().classes.clone(),
                order: &order,
                rows,
            },
        );
    }
    print(&store, args, &table, order_from, &rows, out)
}

/// The display order: the dendrogram of `--source`'s matrix at the ordering step.
fn order(store: &Store, args: &ClassesArgs) -> Result<(StepId, Vec<usize>)> {
    let layer = match args.source {
        SimilaritySource::Centroids => DefaultLayer::Features,
        _ => DefaultLayer::Prediction,
    };
    let at = resolve(store, None, args.order_from, layer)?;
    let matrix = source_matrix(store, &at, args.source)?;
    Ok((at.step, matrix.order(args.linkage).order))
}

fn print(
    store: &Store,
    args: &ClassesArgs,
    table: &ClassTable,
    order_from: StepId,
    rows: &[&ClassRow],
    out: &mut dyn std::io::Write,
) -> CliResult {
    let since = table.previous.map_or("first step: no change".into(), |p| {
        format!("change since step {p}")
    });
    writeln!(
        out,
        "classes at step {} ({since}), ordered as the {} matrix of step {order_from} ({} linkage)",
        table.step,
        args.source.title(),
        format!("{:?}", args.linkage).to_lowercase()
    )?;
    let names: Vec<String> = rows
        .iter()
        .map(|r| class_name(store, r.stats.class))
        .collect();
    let w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 20);
    writeln!(
        out,
        "{:<w$} {:>7} {:>7} {:>6} {:>9} {:>6}  most confused with, images (change)",
        "class", "images", "recall", "Δ", "precision", "Δ"
    )?;
    for (row, name) in rows.iter().zip(&names) {
        let s = &row.stats;
        let change = row.change;
        let confused = match s.confused_with {
            Some((c, n)) => format!(
                "{} {n} ({})",
                class_name(store, c),
                signed(change.and_then(|c| c.confused))
            ),
            None => "-".into(),
        };
        writeln!(
            out,
            "{name:<w$.w$} {:>7} {:>7} {:>6} {:>9} {:>6}  {confused}",
            s.count,
            percent(s.recall),
            points(change.and_then(|c| c.recall)),
            percent(s.precision),
            points(change.and_then(|c| c.precision)),
        )?;
    }
    Ok(())
}
