//! What happened to one image over training: when it was learned, how often it was
//! forgotten (Toneva et al., 2019) and its dataset-cartography scores (Swayamdipta et al., 2020).

use crate::model::{ClassId, StepId};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImageHistory {
    pub steps: Vec<StepId>,
    pub predicted: Vec<ClassId>,
    pub p_true: Vec<f32>,
    /// First step from which the image stays correctly classified to the end.
    pub learned_at: Option<StepId>,
    /// Times the image went from correct at one step to wrong at the next.
    pub forgetting_events: usize,
    /// Mean of p(true class) over the steps ("confidence" in dataset cartography).
    pub confidence_mean: f64,
    /// Standard deviation of p(true class) over the steps ("variability").
    pub variability: f64,
    /// Fraction of steps at which the image is correctly classified.
    pub correctness: f64,
}

/// Builds the history from the per-step predicted classes and p(true class) of one image.
/// The slices are in step order and of equal length (extra entries are ignored).
pub fn image_history(
    steps: &[StepId],
    predicted: &[ClassId],
    p_true: &[f32],
    label: ClassId,
) -> ImageHistory {
    let n = steps.len().min(predicted.len()).min(p_true.len());
    let (steps, predicted, p_true) = (&steps[..n], &predicted[..n], &p_true[..n]);
    let correct: Vec<bool> = predicted.iter().map(|&p| p == label).collect();
    let forgetting_events = correct.windows(2).filter(|w| w[0] && !w[1]).count();
    let learned_at = match correct.iter().rposition(|&c| !c) {
        None => steps.first().copied(),
        Some(last_wrong) => steps.get(last_wrong + 1).copied(),
    };
    let (mean, sd) = if n == 0 {
        (0.0, 0.0)
    } else {
        let mean = p_true.iter().map(|&p| f64::from(p)).sum::<f64>() / n as f64;
        let var = p_true
            .iter()
            .map(|&p| (f64::from(p) - mean).powi(2))
            .sum::<f64>()
            / n as f64;
        (mean, var.sqrt())
    };
    let correctness = if n == 0 {
        0.0
    } else {
        correct.iter().filter(|&&c| c).count() as f64 / n as f64
    };
    ImageHistory {
        steps: steps.to_vec(),
        predicted: predicted.to_vec(),
        p_true: p_true.to_vec(),
        learned_at,
        forgetting_events,
        confidence_mean: mean,
        variability: sd,
        correctness,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn forgetting_and_learning_on_hand_made_sequences() {
        let steps = [0, 10, 20, 30, 40, 50];
        // Label 1: wrong, right, wrong (forgotten), right, right, right.
        let h = image_history(
            &steps,
            &[0, 1, 2, 1, 1, 1],
            &[0.1, 0.6, 0.3, 0.7, 0.8, 0.9],
            1,
        );
        assert_eq!(h.forgetting_events, 1);
        assert_eq!(h.learned_at, Some(30));
        assert_abs_diff_eq!(h.correctness, 4.0 / 6.0);
        assert_abs_diff_eq!(h.confidence_mean, 3.4 / 6.0, epsilon = 1e-6);
        // Twice forgotten, and wrong at the end: never learned.
        let h = image_history(&steps, &[1, 0, 1, 0, 1, 0], &[0.9; 6], 1);
        assert_eq!((h.forgetting_events, h.learned_at), (3, None));
        assert_abs_diff_eq!(h.variability, 0.0);
        // Always right: learned at the first step, never forgotten.
        let h = image_history(&steps[..2], &[1, 1], &[0.5, 1.0], 1);
        assert_eq!((h.forgetting_events, h.learned_at), (0, Some(0)));
        assert_abs_diff_eq!(h.variability, 0.25, epsilon = 1e-9);
        // Nothing logged.
        assert_eq!(image_history(&[], &[], &[], 0).learned_at, None);
    }
}
