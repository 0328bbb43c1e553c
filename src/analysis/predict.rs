//! Predicted classes and confidences from a layer of class scores (logits or probabilities).

use ndarray::{ArrayView1, ArrayView2, Axis};

use crate::model::{ClassId, LayerKind};

/// The prediction for one image: the top class and the model's probability for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub class: ClassId,
    /// Softmax probability of `class` (or the stored probability for a probs layer).
    pub confidence: f32,
}

/// Softmax of one row of logits, stable for large values.
pub fn softmax(row: ArrayView1<f32>) -> Vec<f32> {
    let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let exps: Vec<f32> = row.iter().map(|&v| (v - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Class probabilities of one row, whatever the layer's kind.
pub fn probabilities(row: ArrayView1<f32>, kind: LayerKind) -> Vec<f32> {
    match kind {
        LayerKind::Probs => row.to_vec(),
        _ => softmax(row),
    }
}

/// Index of the largest value; the first one on ties, so results are deterministic.
pub fn argmax(row: ArrayView1<f32>) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// The predicted class and its probability for every image (row) of `scores`.
pub fn predict(scores: ArrayView2<f32>, kind: LayerKind) -> Vec<Prediction> {
    scores
        .axis_iter(Axis(0))
        .map(|row| {
            let class = argmax(row);
            let confidence = probabilities(row, kind)[class];
            Prediction {
                class: class as ClassId,
                confidence,
            }
        })
        .collect()
}

/// Fraction of images whose prediction equals their label (0 for no images).
pub fn accuracy(predictions: &[Prediction], labels: &[ClassId]) -> f64 {
    if labels.is_empty() {
        return 0.0;
    }
    let correct = predictions
        .iter()
        .zip(labels)
        .filter(|(p, l)| p.class == **l)
        .count();
    correct as f64 / labels.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn softmax_is_stable_and_sums_to_one() {
        let p = softmax(array![1000.0f32, 1000.0, 0.0].view());
        assert_abs_diff_eq!(p[0], 0.5, epsilon = 1e-6);
        assert_abs_diff_eq!(p[2], 0.0, epsilon = 1e-6);
    }

    #[test]
    fn predictions_and_accuracy_from_logits() {
        let logits = array![[2.0f32, 0.0, 0.0], [0.0, 0.0, 3.0], [1.0, 1.0, 0.0]];
        let p = predict(logits.view(), LayerKind::Logits);
        assert_eq!(p.iter().map(|p| p.class).collect::<Vec<_>>(), vec![0, 2, 0]);
        let e2 = 2f32.exp();
        assert_abs_diff_eq!(p[0].confidence, e2 / (e2 + 2.0), epsilon = 1e-6);
        assert_abs_diff_eq!(accuracy(&p, &[0, 2, 1]), 2.0 / 3.0);
    }

    #[test]
    fn probs_layers_are_taken_as_they_are() {
        let probs = array![[0.2f32, 0.7, 0.1]];
        let p = predict(probs.view(), LayerKind::Probs);
        assert_eq!(
            p[0],
            Prediction {
                class: 1,
                confidence: 0.7
            }
        );
    }
}
