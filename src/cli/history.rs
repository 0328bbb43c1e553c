//! `deepscope history`: one image's predictions over training.

use std::path::PathBuf;

use clap::Args;

use super::{CliResult, write_json};
use crate::model::ImageId;
use crate::query::history::{learned_words, load_history};
use crate::query::select::check_image;
use crate::query::{Error, Invalid};
use crate::store::Store;
use crate::text::escape;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Stats database
    pub db: PathBuf,
    /// Image id
    #[arg(long)]
    pub image: ImageId,
    /// Print JSON instead of a readable table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &HistoryArgs, out: &mut dyn std::io::Write) -> CliResult {
    let store = Store::open(&args.db)?;
    check_image(&store, args.image)?;
    let history = load_history(&store, args.image)?
        .ok_or_else(|| Error::input(&args.db, Invalid::NoPredictionLayer))?;
    if args.json {
        return write_json(out, &history);
    }
    let classes = &store.catalog().classes;
    let label = store.catalog().labels[args.image as usize] as usize;
    writeln!(
        out,
        "image {} (true class {})",
        args.image,
        escape(&classes[label])
    )?;
    writeln!(
        out,
        "{}; p(true) mean {:.3}, sd {:.3}; correct at {:.0}% of steps",
        learned_words(&history),
        history.confidence_mean,
        history.variability,
        history.correctness * 100.0
    )?;
    writeln!(out, "{:>10}  {:<14} {:>7}", "step", "predicted", "p(true)")?;
    for i in 0..history.steps.len() {
        let p = history.predicted[i] as usize;
        let mark = if p == label { "" } else { "  wrong" };
        writeln!(
            out,
            "{:>10}  {:<14} {:>7.3}{mark}",
            history.steps[i],
            escape(&classes[p]),
            history.p_true[i]
        )?;
    }
    Ok(())
}
