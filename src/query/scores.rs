//! What the class scores say at a step (predictions, probabilities, mistakes, accuracy),
//! and the accuracy at every step of the run.

use ndarray::{Array1, Array2};

use super::error::{Error, Invalid, Result};
use super::select::At;
use crate::analysis::misclassified::{Misclassified, misclassified};
use crate::analysis::predict::{Prediction, accuracy, argmax, predict, probabilities};
use crate::model::{ClassId, StepId};
use crate::store::{MAX_MAGNITUDE, Store};

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
    // The class only: no probabilities (`predict` takes a softmax of every row).
    Ok(scores
        .rows()
        .into_iter()
        .map(|row| argmax(row) as ClassId)
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
///
/// Only the argmax matters here, so each BLOB is scanned in place (no decoded copy, no
/// softmax), its rows split across threads. (Reading it by incremental BLOB I/O into a
/// reused buffer, as `Store::load` does, measured no faster here: 20 MB logits.) A value the analyses cannot use (NaN, infinite,
/// beyond [`MAX_MAGNITUDE`]) sends the step through [`Store::load`], which reports it exactly
/// as every other command does.
pub fn accuracy_by_step(store: &Store) -> Result<Vec<(StepId, f64)>> {
    let catalog = store.catalog();
    let Some(layer) = catalog.prediction_layer() else {
        return Ok(vec![]);
    };
    let labels = &catalog.labels;
    let expected = labels
        .len()
        .checked_mul(layer.dim)
        .and_then(|n| n.checked_mul(4));
    let mut out = Vec::new();
    for step in catalog.steps.iter().filter(|s| s.has_layer(&layer.name)) {
        let tally = store.with_blob(step.step, &layer.name, |bytes| {
            (Some(bytes.len()) == expected).then(|| tally_rows(bytes, layer.dim, labels))
        })?;
        let accuracy = if tally.unusable {
            let scores = store.load(step.step, &layer.name)?;
            accuracy(&predict(scores.view(), layer.kind), labels)
        } else if labels.is_empty() {
            0.0
        } else {
            tally.correct as f64 / labels.len() as f64
        };
        out.push((step.step, accuracy));
    }
    Ok(out)
}

/// Correct top-1 predictions in a BLOB of N x `dim` scores, and whether any value is
/// unusable.
#[derive(Debug, Default, PartialEq)]
struct Tally {
    correct: usize,
    unusable: bool,
}

/// Rows per parallel task: large enough that splitting costs nothing next to the scan.
const ROWS_PER_TASK: usize = 4096;

fn tally_rows(bytes: &[u8], dim: usize, labels: &[ClassId]) -> Tally {
    use rayon::prelude::*;
    let row_bytes = dim.max(1) * 4;
    bytes
        .par_chunks(row_bytes * ROWS_PER_TASK)
        .zip(labels.par_chunks(ROWS_PER_TASK))
        .map(|(chunk, labels)| {
            let mut tally = Tally::default();
            for (row, &label) in chunk.chunks_exact(row_bytes).zip(labels) {
                let (best, usable) = argmax_le(row);
                tally.unusable |= !usable;
                tally.correct += usize::from(best == label as usize);
            }
            tally
        })
        .reduce(Tally::default, |a, b| Tally {
            correct: a.correct + b.correct,
            unusable: a.unusable || b.unusable,
        })
}

/// Index of the largest little-endian `f32` of a row (the first on ties, as
/// [`crate::analysis::predict::argmax`]), and whether every value is usable.
fn argmax_le(row: &[u8]) -> (usize, bool) {
    let value = |b: &[u8]| f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let mut values = row.chunks_exact(4).map(value);
    let Some(mut max) = values.next() else {
        return (0, true);
    };
    // False for NaN too.
    let usable = |v: f32| v.abs() <= MAX_MAGNITUDE;
    let mut unusable = !usable(max);
    let mut best = 0;
    for (i, v) in values.enumerate() {
        unusable |= !usable(v);
        if v > max {
            (best, max) = (i + 1, v);
        }
    }
    (best, !unusable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn bytes(values: &ndarray::Array2<f32>) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn the_in_place_scan_agrees_with_predict() {
        let scores = array![[0.1f32, 0.7, 0.7], [3.0, -1.0, 2.0], [-5.0, -4.0, -6.0]];
        let labels = [1, 2, 1];
        let predictions = predict(scores.view(), crate::model::LayerKind::Logits);
        let expected = (accuracy(&predictions, &labels) * 3.0).round() as usize;
        assert_eq!(expected, 2, "ties go to the first class, as in predict");
        let tally = tally_rows(&bytes(&scores), 3, &labels);
        assert_eq!(
            tally,
            Tally {
                correct: expected,
                unusable: false
            }
        );
    }

    #[test]
    fn unusable_values_are_noticed_in_any_task() {
        let n = ROWS_PER_TASK + 3;
        for bad in [f32::NAN, f32::INFINITY, -2.0 * MAX_MAGNITUDE] {
            let mut scores = ndarray::Array2::<f32>::zeros((n, 2));
            scores[[ROWS_PER_TASK + 1, 1]] = bad;
            assert!(
                tally_rows(&bytes(&scores), 2, &vec![0; n]).unusable,
                "{bad}"
            );
        }
        let fine = ndarray::Array2::<f32>::from_elem((n, 2), MAX_MAGNITUDE);
        assert!(!tally_rows(&bytes(&fine), 2, &vec![0; n]).unusable);
    }
}
