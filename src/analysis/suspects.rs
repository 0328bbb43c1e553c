//! Suspected label errors: images whose given label the model disagrees with, ranked so a
//! person can check the likeliest first. Three rankings:
//!
//! - confident learning on one step's probabilities, exactly as cleanlab (module
//!   [`confident`]): the images it flags, in cleanlab's `rank_by` order;
//! - training dynamics over all steps (module [`dynamics`]): images whose given class's
//!   logit stayed below another class's on average (AUM < 0), lowest AUM first;
//! - combined: both suspicions averaged (confident learning's 1 - p(given), the dynamics'
//!   σ(-AUM)), over the images either one flags.
//!
//! Scores are in [0, 1], higher is more suspect, so the three read the same way.

#[path = "suspects_argsort.rs"]
pub mod argsort;
#[path = "suspects_confident.rs"]
pub mod confident;
#[path = "suspects_dynamics.rs"]
pub mod dynamics;

use ndarray::{Array1, ArrayView2, Axis};
use rayon::prelude::*;

use crate::model::ClassId;
use confident::{ConfidentLearning, PruneOptions};
use dynamics::{Dynamics, best_other};

/// Which evidence ranks the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Confident learning at one step.
    Confident,
    /// Training dynamics over all steps.
    Dynamics,
    /// Both.
    Combined,
}

/// cleanlab's `rank_by` options for ordering the confident-learning set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// p(given): lowest first.
    SelfConfidence,
    /// (p(given) - largest other p + 1) / 2: lowest first.
    NormalizedMargin,
}

/// One image of the queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub image: usize,
    /// In [0, 1], higher is more suspect.
    pub score: f64,
    /// The label the evidence points to instead of the given one.
    pub suggested: ClassId,
}

/// What one step's probabilities say about every image.
#[derive(Debug, Clone, PartialEq)]
pub struct StepEvidence {
    pub confident: ConfidentLearning,
    pub self_confidence: Vec<f64>,
    pub normalized_margin: Vec<f64>,
    /// The most probable class other than the given one.
    pub best_other: Vec<ClassId>,
}

impl StepEvidence {
    /// cleanlab's label quality score for `rank_by` (low means suspect).
    pub fn quality(&self, rank_by: RankBy) -> &[f64] {
        match rank_by {
            RankBy::SelfConfidence => &self.self_confidence,
            RankBy::NormalizedMargin => &self.normalized_margin,
        }
    }
}

/// Confident learning and cleanlab's quality scores on one step's probabilities.
pub fn step_evidence(probs: ArrayView2<f64>, labels: &[ClassId]) -> StepEvidence {
    let best = probs
        .axis_iter(Axis(0))
        .into_par_iter()
        .zip(labels)
        .map(|(row, &l)| best_other(row, l as usize) as ClassId)
        .collect();
    StepEvidence {
        confident: confident::find_label_issues(probs, labels, PruneOptions::default()),
        self_confidence: confident::self_confidence(probs, labels),
        normalized_margin: confident::normalized_margin(probs, labels),
        best_other: best,
    }
}

/// The confident-learning set in cleanlab's order for `rank_by`; score = 1 - quality.
pub fn rank_confident(e: &StepEvidence, rank_by: RankBy) -> Vec<Ranked> {
    let quality = e.quality(rank_by);
    confident::order_issues(&e.confident.issues, quality)
        .into_iter()
        .map(|i| Ranked {
            image: i,
            score: 1.0 - quality[i],
            suggested: e.best_other[i],
        })
        .collect()
}

/// Suspicion from the dynamics alone: σ(-AUM), above 1/2 exactly when AUM < 0.
fn dynamics_score(aum: f64) -> f64 {
    1.0 / (1.0 + aum.exp())
}

/// Sorts by score, highest first, equal scores in image order.
fn sorted(mut queue: Vec<Ranked>) -> Vec<Ranked> {
    queue.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.image.cmp(&b.image)));
    queue
}

/// Images whose given class lost to another on average over training (AUM < 0).
pub fn rank_dynamics(d: &Dynamics) -> Vec<Ranked> {
    sorted(
        d.images
            .iter()
            .enumerate()
            .filter(|(_, im)| im.aum < 0.0)
            .map(|(i, im)| Ranked {
                image: i,
                score: dynamics_score(im.aum),
                suggested: im.suggested,
            })
            .collect(),
    )
}

/// The combined score of one image: the mean of the two suspicions the other queues rank by,
/// confident learning's (1 - the step's quality score, p(given) by default) and the
/// dynamics' (σ(-AUM)).
pub fn combined_score(quality: f64, aum: f64) -> f64 {
    0.5 * (1.0 - quality) + 0.5 * dynamics_score(aum)
}

/// Images flagged by confident learning at the step or by the dynamics, ranked by the
/// combined score with the step's quality score for `rank_by`; the suggestion is the class
/// most probable at the step and over training together.
pub fn rank_combined(
    e: &StepEvidence,
    rank_by: RankBy,
    probs: ArrayView2<f64>,
    d: &Dynamics,
    labels: &[ClassId],
) -> Vec<Ranked> {
    let quality = e.quality(rank_by);
    let queue = (0..labels.len())
        .filter(|&i| e.confident.issues[i] || d.images[i].aum < 0.0)
        .map(|i| {
            let both: Array1<f32> = probs
                .row(i)
                .iter()
                .zip(d.mean_probs.row(i))
                .map(|(&p, &m)| p as f32 + m)
                .collect();
            Ranked {
                image: i,
                score: combined_score(quality[i], d.images[i].aum),
                suggested: best_other(both.view(), labels[i] as usize) as ClassId,
            }
        })
        .collect();
    sorted(queue)
}

#[cfg(test)]
#[path = "suspects_tests.rs"]
mod tests;
