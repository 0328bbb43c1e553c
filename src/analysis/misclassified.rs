//! The images a model gets wrong at a step, and the images of each confusion cell.

use ndarray::ArrayView2;

use super::predict::{argmax, probabilities};
use crate::model::{ClassId, ImageId, LayerKind};

/// One wrongly classified image.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Misclassified {
    pub image: ImageId,
    pub label: ClassId,
    pub predicted: ClassId,
    /// Probability of the predicted class.
    pub confidence: f32,
    /// p(predicted) - p(true): how far the model is from getting it right.
    pub margin: f32,
}

/// Every misclassified image, most confident mistakes first (ties by image id).
pub fn misclassified(
    scores: ArrayView2<f32>,
    kind: LayerKind,
    labels: &[ClassId],
) -> Vec<Misclassified> {
    let mut out: Vec<Misclassified> = scores
        .rows()
        .into_iter()
        .zip(labels)
        .enumerate()
        .filter_map(|(i, (row, &label))| {
            let predicted = argmax(row);
            if predicted == label as usize {
                return None;
            }
            let p = probabilities(row, kind);
            let p_true = p.get(label as usize).copied().unwrap_or(0.0);
            Some(Misclassified {
                image: i as ImageId,
                label,
                predicted: predicted as ClassId,
                confidence: p[predicted],
                margin: p[predicted] - p_true,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.image.cmp(&b.image))
    });
    out
}

/// Image ids whose true class is `label` and predicted class is `pred`, ascending.
pub fn images_in_cell(
    labels: &[ClassId],
    predicted: &[ClassId],
    label: ClassId,
    pred: ClassId,
) -> Vec<ImageId> {
    labels
        .iter()
        .zip(predicted)
        .enumerate()
        .filter(|(_, (l, p))| **l == label && **p == pred)
        .map(|(i, _)| i as ImageId)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn lists_only_mistakes_most_confident_first() {
        let logits = array![
            [3.0f32, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 5.0],
            [1.0, 0.0, 0.0]
        ];
        let wrong = misclassified(logits.view(), LayerKind::Logits, &[0, 0, 1, 0]);
        assert_eq!(
            wrong.iter().map(|m| m.image).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!((wrong[0].label, wrong[0].predicted), (1, 2));
        let e5 = 5f32.exp();
        assert!((wrong[0].confidence - e5 / (e5 + 2.0)).abs() < 1e-6);
        assert!((wrong[0].margin - (e5 - 1.0) / (e5 + 2.0)).abs() < 1e-6);
        assert_eq!(
            images_in_cell(&[0, 0, 1, 0], &[0, 1, 2, 1], 0, 1),
            vec![1, 3]
        );
    }
}
