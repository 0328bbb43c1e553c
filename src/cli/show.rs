//! `deepscope show`: one image in the shell, with its label, prediction and history.

use std::path::PathBuf;

use clap::Args;

use super::CliResult;
use crate::model::{ImageId, StepId};
use crate::picture::{ImageMode, print_thumbnail};
use crate::query::history::predictions_over_steps;
use crate::query::select::check_image;
use crate::store::Store;
use crate::text::escape;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Stats database
    pub db: PathBuf,
    /// Image id (its row, 0..N-1)
    #[arg(long)]
    pub image: ImageId,
    /// Step whose prediction is shown (default: the last step with predictions)
    #[arg(long)]
    pub step: Option<StepId>,
    /// How to draw the image; `auto` detects the terminal (SSH often hides it)
    #[arg(long, value_enum, default_value_t = ImageMode::Auto)]
    pub images: ImageMode,
    /// Width of the image in terminal columns
    #[arg(long, default_value_t = 28)]
    pub width: u32,
}

pub fn run(args: &ShowArgs, out: &mut dyn std::io::Write) -> CliResult {
    let store = Store::open(&args.db)?;
    let catalog = store.catalog();
    check_image(&store, args.image)?;
    let image = args.image as usize;
    let label = catalog.labels[image];
    let history = predictions_over_steps(&store, args.image)?;
    let current = match args.step {
        Some(step) => {
            let layer = catalog
                .prediction_layer()
                .map_or("logits", |l| l.name.as_str());
            store.check_available(step, layer)?;
            history.iter().find(|h| h.step == step)
        }
        None => history.last(),
    };

    let name = catalog.image_names[image].as_deref().unwrap_or("-");
    writeln!(out, "image {image} ({})", escape(name))?;
    writeln!(
        out,
        "  label      {}",
        escape(&catalog.classes[label as usize])
    )?;
    if let Some(h) = current {
        let verdict = if h.predicted == label {
            "correct"
        } else {
            "WRONG"
        };
        writeln!(
            out,
            "  step {}: predicted {} (p={:.3}), p(true)={:.3}, {verdict}",
            h.step,
            escape(&catalog.classes[h.predicted as usize]),
            h.p_predicted,
            h.p_true
        )?;
    }
    out.flush()?;
    if let Some(thumb) = store.thumbnail(args.image)?
        && print_thumbnail(&thumb, args.width, args.images)?
    {
        writeln!(out)?;
    }
    if !history.is_empty() {
        writeln!(
            out,
            "  history    {:>10}  {:<12} {:>7}",
            "step", "predicted", "p(true)"
        )?;
        for h in &history {
            let mark = if h.predicted == label { ' ' } else { '*' };
            writeln!(
                out,
                "             {:>10}  {:<12} {:>7.3} {mark}",
                h.step,
                escape(&catalog.classes[h.predicted as usize]),
                h.p_true
            )?;
        }
    }
    Ok(())
}
