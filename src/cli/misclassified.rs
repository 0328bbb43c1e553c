//! `deepscope misclassified`: the images the model gets wrong at a step.

use clap::Args;

use super::common::{Selection, input, prediction_layer};
use super::{CliResult, write_json};
use crate::analysis::misclassified::misclassified;

#[derive(Debug, Args)]
pub struct MisclassifiedArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Sort by confidence ascending (least confident mistakes first) instead of descending
    #[arg(long)]
    pub ascending: bool,
}

pub fn run(args: &MisclassifiedArgs, out: &mut dyn std::io::Write) -> CliResult {
    let r = args.selection.resolve(prediction_layer)?;
    if !r.layer.kind.is_class_scores() {
        return Err(input(
            r.store.path(),
            &format!(
                "layer '{}' holds {}, not class scores; use a logits or probs layer",
                r.layer.name, r.layer.kind
            ),
        ));
    }
    let scores = r.load()?;
    let mut wrong = misclassified(scores.view(), r.layer.kind, &r.store.catalog().labels);
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
        r.step,
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
