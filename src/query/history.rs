//! One image over training: its prediction at every step that has class scores, and the
//! history summarised from them (when learned, how often forgotten).

use super::error::Result;
use crate::analysis::history::{ImageHistory, image_history};
use crate::analysis::predict::{argmax, probabilities};
use crate::model::{ClassId, ImageId, StepId};
use crate::store::Store;

/// When the image was learned and how often it was forgotten, in the words both front ends
/// show (an image wrong at the last step was not learned, however often it was right).
pub fn learned_words(history: &ImageHistory) -> String {
    let learned = match history.learned_at {
        Some(step) => format!("learned at step {step}"),
        None => "not learned by the last step".to_string(),
    };
    let forgotten = match history.forgetting_events {
        0 => "never forgotten".to_string(),
        1 => "forgotten once".to_string(),
        n => format!("forgotten {n} times"),
    };
    format!("{learned}, {forgotten}")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn words(predicted: &[ClassId]) -> String {
        let steps: Vec<StepId> = (0..predicted.len() as StepId).map(|s| s * 10).collect();
        let p = vec![0.5; predicted.len()];
        learned_words(&image_history(&steps, predicted, &p, 1))
    }

    #[test]
    fn an_image_wrong_at_the_end_is_not_learned_and_counts_read_as_words() {
        assert_eq!(
            words(&[1, 0]),
            "not learned by the last step, forgotten once"
        );
        assert_eq!(
            words(&[0, 0]),
            "not learned by the last step, never forgotten"
        );
        assert_eq!(
            words(&[1, 0, 1, 0, 1]),
            "learned at step 40, forgotten 2 times"
        );
        assert_eq!(words(&[0, 1, 1]), "learned at step 10, never forgotten");
    }
}
