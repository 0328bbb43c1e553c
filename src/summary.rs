//! Whole-run summaries read through the store: accuracy at every step, and one image's
//! predictions across all steps. Shared by the CLI and the terminal UI.

use crate::analysis::history::{ImageHistory, image_history};
use crate::analysis::predict::{accuracy, argmax, predict, probabilities};
use crate::model::{ClassId, ImageId, StepId};
use crate::store::{Result, Store};

/// Top-1 accuracy at every step that has the prediction layer.
pub fn accuracy_by_step(store: &Store) -> Result<Vec<(StepId, f64)>> {
    let catalog = store.catalog();
    let Some(layer) = catalog.prediction_layer() else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for step in catalog.steps.iter().filter(|s| s.has_layer(&layer.name)) {
        let scores = store.load(step.step, &layer.name)?;
        let predictions = predict(scores.view(), layer.kind);
        out.push((step.step, accuracy(&predictions, &catalog.labels)));
    }
    Ok(out)
}

/// The history of one image from the prediction layer at every step that has it; `None`
/// when the run logged no class scores.
pub fn load_history(store: &Store, image: ImageId) -> Result<Option<ImageHistory>> {
    let catalog = store.catalog();
    let Some(layer) = catalog.prediction_layer() else {
        return Ok(None);
    };
    let label = catalog.labels[image as usize];
    let (mut steps, mut predicted, mut p_true) = (vec![], vec![], vec![]);
    for step in catalog.steps.iter().filter(|s| s.has_layer(&layer.name)) {
        let scores = store.load(step.step, &layer.name)?;
        let row = scores.row(image as usize);
        steps.push(step.step);
        predicted.push(argmax(row) as ClassId);
        p_true.push(probabilities(row, layer.kind)[label as usize]);
    }
    Ok(Some(image_history(&steps, &predicted, &p_true, label)))
}
