//! What the class scores say at a step (predictions, probabilities, mistakes, accuracy),
//! and the accuracy at every step of the run.

use ndarray::{Array1, Array2};

use super::error::{Error, Invalid, Result};
use super::select::At;
use crate::analysis::misclassified::{Misclassified, misclassified};
use crate::analysis::predict::{Prediction, accuracy, predict, probabilities};
use crate::model::{ClassId, StepId};
use crate::store::Store;

/// Predictions and mistakes of one step, from the run's prediction layer.
#[derive(Debug, Clone)]
pub struct StepScores {
    pub predictions: Vec<Prediction>,
    /// Class probabilities, N x K.
    pub probabilities: Array2<f32>,
    /// Most confident mistakes first.
    pub misclassified: Vec<Misclassified>,
    pub accuracy: f64,
}

/// The prediction layer's scores at `step`: everything the viewer shows about them.
pub fn step_scores(store: &Store, step: StepId) -> Result<StepScores> {
    let catalog = store.catalog();
    let layer = catalog
        .prediction_layer()
        .ok_or_else(|| Error::input(store.path(), Invalid::NoPredictionLayer))?;
    let scores = store.load(step, &layer.name)?;
    let predictions = predict(scores.view(), layer.kind);
    let mut probs = Array2::zeros(scores.dim());
    for (i, row) in scores.rows().into_iter().enumerate() {
        probs
            .row_mut(i)
            .assign(&Array1::from(probabilities(row, layer.kind)));
    }
    Ok(StepScores {
        misclassified: misclassified(scores.view(), layer.kind, &catalog.labels),
        accuracy: accuracy(&predictions, &catalog.labels),
        predictions,
        probabilities: probs,
    })
}

/// The predicted class of every image at `step`, from the prediction layer.
pub fn predicted_classes(store: &Store, step: StepId) -> Result<Vec<ClassId>> {
    let layer = store
        .catalog()
        .prediction_layer()
        .ok_or_else(|| Error::input(store.path(), Invalid::NoPredictionLayer))?;
    let scores = store.load(step, &layer.name)?;
    Ok(predict(scores.view(), layer.kind)
        .iter()
        .map(|p| p.class)
        .collect())
}

/// The misclassified images of a class-scores layer, most confident mistakes first.
pub fn mistakes(store: &Store, at: &At) -> Result<Vec<Misclassified>> {
    if !at.layer.kind.is_class_scores() {
        return Err(Error::input(
            store.path(),
            Invalid::NotClassScores {
                layer: at.layer.name.clone(),
                kind: at.layer.kind,
            },
        ));
    }
    let scores = store.load(at.step, &at.layer.name)?;
    Ok(misclassified(
        scores.view(),
        at.layer.kind,
        &store.catalog().labels,
    ))
}

/// Top-1 accuracy at every step that has the prediction layer (none without one).
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
