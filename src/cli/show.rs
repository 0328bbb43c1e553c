//! `deepscope show`: one image in the shell, with its label, prediction and history.

use std::path::PathBuf;

use clap::Args;

use super::shell_image::{ImageMode, print_thumbnail};
use super::{CliError, CliResult};
use crate::analysis::predict::{argmax, probabilities};
use crate::model::{ImageId, StepId};
use crate::store::Store;

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

/// Prediction of one image at one step.
struct AtStep {
    step: StepId,
    predicted: usize,
    p_predicted: f32,
    p_true: f32,
}

pub fn run(args: &ShowArgs, out: &mut dyn std::io::Write) -> CliResult {
    let store = Store::open(&args.db)?;
    let catalog = store.catalog();
    let image = args.image as usize;
    if image >= catalog.num_images() {
        return Err(CliError::Input(format!(
            "{}: no image {}; images are 0..{}",
            args.db.display(),
            args.image,
            catalog.num_images().saturating_sub(1)
        )));
    }
    let label = catalog.labels[image] as usize;
    let history = predictions_over_steps(&store, image, label)?;
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
    writeln!(out, "image {image} ({})", super::escape(name))?;
    writeln!(
        out,
        "  label      {}",
        super::escape(&catalog.classes[label])
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
            super::escape(&catalog.classes[h.predicted]),
            h.p_predicted,
            h.p_true
        )?;
    }
    out.flush()?;
    if let Some(thumb) = store.thumbnail(args.image)?
        && print_thumbnail(&thumb, args.width, args.images).map_err(CliError::Internal)?
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
                super::escape(&catalog.classes[h.predicted]),
                h.p_true
            )?;
        }
    }
    Ok(())
}

/// The image's prediction at every step that has class scores.
fn predictions_over_steps(
    store: &Store,
    image: usize,
    label: usize,
) -> Result<Vec<AtStep>, CliError> {
    let catalog = store.catalog();
    let Some(layer) = catalog.prediction_layer() else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for step in catalog.steps.iter().filter(|s| s.has_layer(&layer.name)) {
        let scores = store.load(step.step, &layer.name)?;
        let row = scores.row(image);
        let p = probabilities(row, layer.kind);
        let predicted = argmax(row);
        out.push(AtStep {
            step: step.step,
            predicted,
            p_predicted: p[predicted],
            p_true: p[label],
        });
    }
    Ok(out)
}
