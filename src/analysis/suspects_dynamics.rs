//! Training dynamics of every image's given label, over all the steps of a run: the mean and
//! variability of p(given) (dataset cartography, Swayamdipta et al., 2020), the margin of the
//! given class's logit over the largest other averaged over steps (AUM, Pleiss et al., 2020),
//! forgetting events and the step the image was learned at (from [`history`]), and the class
//! the model put the most probability on besides the given one.
//!
//! Steps are added one at a time, so a run's steps never need to be in memory together.
//!
//! [`history`]: crate::analysis::history

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis, Zip};
use rayon::prelude::*;

use crate::analysis::history::image_history;
use crate::model::{ClassId, LayerKind, StepId};

/// What training did to one image's given label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImageDynamics {
    /// Mean of p(given) over the steps ("confidence" in cartography).
    pub p_given_mean: f64,
    /// Standard deviation of p(given) over the steps ("variability").
    pub p_given_sd: f64,
    /// Logit of the given class minus the largest other logit, averaged over steps (AUM).
    pub aum: f64,
    /// Times the image went from predicted as its given class to not.
    pub forgetting_events: usize,
    /// First step from which the prediction stays the given class.
    pub learned_at: Option<StepId>,
    /// The class other than the given one with the largest mean probability.
    pub suggested: ClassId,
}

/// The dynamics of every image, and p(given) at every step.
#[derive(Debug, Clone, PartialEq)]
pub struct Dynamics {
    pub steps: Vec<StepId>,
    /// Steps x images: p(given) of each image at each step.
    pub p_given: Array2<f32>,
    /// Images x classes: each class's probability averaged over the steps.
    pub mean_probs: Array2<f32>,
    pub images: Vec<ImageDynamics>,
}

/// Collects the dynamics one step at a time.
#[derive(Debug)]
pub struct DynamicsBuilder {
    labels: Vec<ClassId>,
    steps: Vec<StepId>,
    p_given: Vec<Array1<f32>>,
    predicted: Vec<Array1<ClassId>>,
    margin_sum: Array1<f64>,
    prob_sum: Array2<f32>,
}

impl DynamicsBuilder {
    /// A builder for images with these given labels, among `classes` classes.
    pub fn new(labels: &[ClassId], classes: usize) -> DynamicsBuilder {
        DynamicsBuilder {
            labels: labels.to_vec(),
            steps: Vec::new(),
            p_given: Vec::new(),
            predicted: Vec::new(),
            margin_sum: Array1::zeros(labels.len()),
            prob_sum: Array2::zeros((labels.len(), classes)),
        }
    }

    /// Adds one step's class scores (images x classes), logits or probabilities. Steps are
    /// expected in ascending order; rows of other lengths than the labels are a caller bug.
    pub fn add_step(&mut self, step: StepId, scores: ArrayView2<f32>, kind: LayerKind) {
        let n = self.labels.len();
        let mut p_given = Array1::<f32>::zeros(n);
        let mut predicted = Array1::<ClassId>::zeros(n);
        let labels = ArrayView1::from(&self.labels[..]);
        Zip::from(scores.rows())
            .and(self.prob_sum.rows_mut())
            .and(&labels)
            .and(&mut p_given)
            .and(&mut predicted)
            .and(&mut self.margin_sum)
            .par_for_each(|row, sums, &label, p, pred, margin| {
                let s = row_stats(row, sums, label as usize, kind);
                *p = s.p_given;
                *pred = s.argmax as ClassId;
                *margin += s.margin;
            });
        self.steps.push(step);
        self.p_given.push(p_given);
        self.predicted.push(predicted);
    }

    /// The dynamics of every image over the steps added.
    pub fn finish(self) -> Dynamics {
        let s = self.steps.len();
        let n = self.labels.len();
        let mut p_given = Array2::<f32>::zeros((s, n));
        for (mut row, values) in p_given.axis_iter_mut(Axis(0)).zip(&self.p_given) {
            row.assign(values);
        }
        let mean_probs = self.prob_sum.mapv(|v| v / s.max(1) as f32);
        let images = (0..n)
            .into_par_iter()
            .map(|i| {
                let label = self.labels[i];
                let predicted: Vec<ClassId> = self.predicted.iter().map(|p| p[i]).collect();
                let history =
                    image_history(&self.steps, &predicted, &p_given.column(i).to_vec(), label);
                ImageDynamics {
                    p_given_mean: history.confidence_mean,
                    p_given_sd: history.variability,
                    aum: self.margin_sum[i] / s.max(1) as f64,
                    forgetting_events: history.forgetting_events,
                    learned_at: history.learned_at,
                    suggested: best_other(mean_probs.row(i), label as usize) as ClassId,
                }
            })
            .collect();
        Dynamics {
            steps: self.steps,
            p_given,
            mean_probs,
            images,
        }
    }
}

/// What one step says about one image.
struct RowStats {
    p_given: f32,
    argmax: usize,
    /// Score of the given class minus the largest other, in logits.
    margin: f64,
}

/// Probabilities of one row (added to `sums`), p(given), the top class and the logit margin.
/// For a probabilities layer the margin is taken between log-probabilities, which differ from
/// the logits by a constant per row, so the margin is the same.
fn row_stats(
    row: ArrayView1<f32>,
    mut sums: ArrayViewMut1<f32>,
    given: usize,
    kind: LayerKind,
) -> RowStats {
    let logit = |v: f32| match kind {
        LayerKind::Probs => v.max(f32::MIN_POSITIVE).ln(),
        _ => v,
    };
    let (mut argmax, mut best, mut other) = (0, f32::NEG_INFINITY, f32::NEG_INFINITY);
    for (k, &v) in row.iter().enumerate() {
        if v > best {
            (argmax, best) = (k, v);
        }
        if k != given {
            other = other.max(logit(v));
        }
    }
    let p_given = match kind {
        LayerKind::Probs => {
            sums.zip_mut_with(&row, |s, &p| *s += p);
            row[given]
        }
        _ => {
            let exps: Vec<f32> = row.iter().map(|&v| (v - best).exp()).collect();
            let inverse = 1.0 / exps.iter().sum::<f32>();
            sums.iter_mut()
                .zip(&exps)
                .for_each(|(s, &e)| *s += e * inverse);
            exps[given] * inverse
        }
    };
    let margin = if row.len() > 1 {
        f64::from(logit(row[given])) - f64::from(other)
    } else {
        0.0
    };
    RowStats {
        p_given,
        argmax,
        margin,
    }
}

/// The class other than `given` with the largest value (the first on ties).
pub fn best_other<T: PartialOrd + Copy>(row: ArrayView1<T>, given: usize) -> usize {
    // The best value is carried along rather than looked up again (a hot loop: every row).
    let mut best: Option<(usize, T)> = None;
    for (k, &v) in row.iter().enumerate() {
        if k != given && best.is_none_or(|(_, b)| v > b) {
            best = Some((k, v));
        }
    }
    best.map_or(given, |(k, _)| k)
}
