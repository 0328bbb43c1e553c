//! One image over training: its prediction at every step that has class scores, and the
//! history summarised from them (when learned, how often forgotten).

use super::error::Result;
use crate::analysis::history::{ImageHistory, image_history};
use crate::analysis::predict::{argmax, probabilities};
use crate::model::{ClassId, ImageId, StepId};
use crate::store::Store;

/// Prediction of one image at one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtStep {
    pub step: StepId,
    pub predicted: ClassId,
    pub p_predicted: f32,
    pub p_true: f32,
}

/// The image's prediction at every step that has the prediction layer; empty when the run
/// logged no class scores. `image` must be a valid id.
pub fn predictions_over_steps(store: &Store, image: ImageId) -> Result<Vec<AtStep>> {
    let catalog = store.catalog();
    let Some(layer) = catalog.prediction_layer() else {
        return Ok(vec![]);
    };
    let label = catalog.labels[image as usize] as usize;
    let mut out = Vec::new();
    for step in catalog.steps.iter().filter(|s| s.has_layer(&layer.name)) {
        let scores = store.load(step.step, &layer.name)?;
        let row = scores.row(image as usize);
        let p = probabilities(row, layer.kind);
        let predicted = argmax(row);
        out.push(AtStep {
            step: step.step,
            predicted: predicted as ClassId,
            p_predicted: p[predicted],
            p_true: p[label],
        });
    }
    Ok(out)
}

/// The history of one image; `None` when the run logged no class scores.
pub fn load_history(store: &Store, image: ImageId) -> Result<Option<ImageHistory>> {
    if store.catalog().prediction_layer().is_none() {
        return Ok(None);
    }
    let at = predictions_over_steps(store, image)?;
    let steps: Vec<StepId> = at.iter().map(|a| a.step).collect();
    let predicted: Vec<ClassId> = at.iter().map(|a| a.predicted).collect();
    let p_true: Vec<f32> = at.iter().map(|a| a.p_true).collect();
    let label = store.catalog().labels[image as usize];
    Ok(Some(image_history(&steps, &predicted, &p_true, label)))
}
