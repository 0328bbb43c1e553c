//! `deepscope misclassified`: the images the model gets wrong at a step.

use clap::Args;

use super::common::Selection;
use super::{CliResult, write_json};
use crate::query::scores::mistakes;
use crate::query::select::DefaultLayer;

#[derive(Debug, Args)]
pub struct MisclassifiedArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Sort by confidence ascending (least confident mistakes first) instead of descending
    #[arg(long)]
    pub ascending: bool,
}

pub fn run(args: &MisclassifiedArgs, out: &mut dyn std::io::Write) -> CliResult {
    let r = args.selection.resolve(DefaultLayer::Prediction)?;
    let mut wrong = mistakes(&r.store, &r.at)?;
    if args.ascending {
        wrong.reverse();
    }
    if args.selection.json {
        return write_json(out, &wrong);
    }
    let n = r.store.catalog().num_images();
    writeln!(
        out,
        "step {}: {} of {} images misclassified",
        r.at.step,
        wrong.len(),
        n
    )?;
    writeln!(
        out,
        "{:>8}  {:<14} {:<14} {:>10} {:>8}",
        "image", "true", "predicted", "confidence", "margin"
    )?;
    for m in &wrong {
        writeln!(
            out,
            "{:>8}  {:<14} {:<14} {:>10.3} {:>8.3}",
            m.image,
            r.class_name(m.label),
            r.class_name(m.predicted),
            m.confidence,
            m.margin
        )?;
    }
    Ok(())
}
