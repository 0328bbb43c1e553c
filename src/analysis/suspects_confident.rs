//! Confident learning (Northcutt, Jiang and Chuang, JAIR 2021) on one step's predicted
//! probabilities, computed as cleanlab 2.x computes it, step for step, so that the flagged
//! set equals `cleanlab.filter.find_label_issues(labels, pred_probs,
//! filter_by="prune_by_noise_rate")` with its defaults (`frac_noise=1.0`,
//! `min_examples_per_class=1`): per-class thresholds, the confident joint, its calibration
//! and rounding, the per-class prune counts, the pruning by margin and the final removal of
//! images whose prediction is their label.
//!
//! Where cleanlab sorts values with ties (equal rounding residues, margins or scores), its
//! answer is numpy's order among equal values; every sort here is numpy's portable argsort
//! ([`argsort`](super::argsort)), so ties go as they go in numpy on any CPU without its
//! vector sorts (see that module for why those are not followed).

use ndarray::{Array2, ArrayView1, ArrayView2, Axis, Zip};
use rayon::prelude::*;

use super::argsort::argsort;
use crate::model::ClassId;

/// cleanlab's `FLOATING_POINT_COMPARISON`: slack in threshold tests and rounding loops.
const FLOATING_POINT_COMPARISON: f64 = 1e-6;
/// cleanlab's `CONFIDENT_THRESHOLDS_LOWER_BOUND`.
const THRESHOLD_LOWER_BOUND: f64 = 2.0 * FLOATING_POINT_COMPARISON;
/// cleanlab's `TINY_VALUE`, which keeps divisions by empty rows finite.
const TINY_VALUE: f64 = 1e-100;
/// Threshold of a class no image is labelled with: no probability reaches it.
const MISSING_CLASS_THRESHOLD: f64 = 2.0;

/// The knobs of `find_label_issues` that change the prune-by-noise-rate result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PruneOptions {
    /// Share of the estimated label errors to flag (cleanlab's `frac_noise`, default 1).
    pub frac_noise: f64,
    /// Classes with at most this many images are never pruned (cleanlab's default 1).
    pub min_examples_per_class: usize,
}

impl Default for PruneOptions {
    fn default() -> Self {
        PruneOptions {
            frac_noise: 1.0,
            min_examples_per_class: 1,
        }
    }
}

/// Everything confident learning found at one step.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfidentLearning {
    /// Per class: the mean probability of the class over the images labelled with it.
    pub thresholds: Vec<f64>,
    /// Calibrated confident joint, `[given][true]` counts summing to the number of images.
    pub confident_joint: Array2<i64>,
    /// Whether each image is flagged as a label issue.
    pub issues: Vec<bool>,
}

/// Row-wise softmax of logits in f64 (max subtracted first, so large logits cannot overflow).
/// Rows in parallel, each written once into the output (no f64 copy of the logits first).
pub fn softmax_f64(logits: ArrayView2<f32>) -> Array2<f64> {
    let mut probs = Array2::<f64>::zeros(logits.dim());
    Zip::from(probs.rows_mut())
        .and(logits.rows())
        .par_for_each(|mut out, row| {
            // f32 -> f64 is exact and order-preserving: the max is the f64 max of the row.
            let max = f64::from(row.fold(f32::NEG_INFINITY, |m, &v| m.max(v)));
            out.zip_mut_with(&row, |o, &v| *o = (f64::from(v) - max).exp());
            // numpy's sum, so probabilities match cleanlab's inputs to the last bit.
            let sum = match out.as_slice() {
                Some(values) => pairwise_sum(values),
                None => pairwise_sum(&out.to_vec()),
            };
            out.mapv_inplace(|v| v / sum);
        });
    probs
}

/// Number of images labelled with each of `classes` classes.
fn label_counts(labels: &[ClassId], classes: usize) -> Vec<usize> {
    let mut counts = vec![0; classes];
    for &l in labels {
        counts[l as usize] += 1;
    }
    counts
}

/// cleanlab's `get_confident_thresholds`: the mean self-confidence of each class, clipped
/// from below; classes without images get a threshold no probability reaches.
pub fn confident_thresholds(probs: ArrayView2<f64>, labels: &[ClassId]) -> Vec<f64> {
    let mut own: Vec<Vec<f64>> = vec![Vec::new(); probs.ncols()];
    for (row, &l) in probs.axis_iter(Axis(0)).zip(labels) {
        own[l as usize].push(row[l as usize]);
    }
    own.iter()
        .map(|values| {
            if values.is_empty() {
                MISSING_CLASS_THRESHOLD
            } else {
                // np.mean: numpy's pairwise sum, then one division.
                (pairwise_sum(values) / values.len() as f64).max(THRESHOLD_LOWER_BOUND)
            }
        })
        .collect()
}

/// Index of the first largest value (numpy's `argmax`).
fn argmax(row: ArrayView1<f64>) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// The class an image is confidently counted in: the only class whose probability reaches
/// its threshold, or the most probable class when several do; `None` when none does.
fn confident_class(row: ArrayView1<f64>, thresholds: &[f64]) -> Option<usize> {
    let mut reached = row
        .iter()
        .zip(thresholds)
        .enumerate()
        .filter(|(_, (p, t))| **p >= **t - FLOATING_POINT_COMPARISON)
        .map(|(k, _)| k);
    let first = reached.next()?;
    Some(if reached.next().is_some() {
        argmax(row)
    } else {
        first
    })
}

/// cleanlab's `compute_confident_joint`: counts `[given][true]` of the confidently counted
/// images, at least 1 on the diagonal, then calibrated (rows sum to the label counts) when
/// `calibrate` is set.
pub fn confident_joint(
    probs: ArrayView2<f64>,
    labels: &[ClassId],
    thresholds: &[f64],
    calibrate: bool,
) -> Array2<i64> {
    let classes = probs.ncols();
    let guesses: Vec<Option<usize>> = probs
        .axis_iter(Axis(0))
        .into_par_iter()
        .map(|row| confident_class(row, thresholds))
        .collect();
    let mut joint = Array2::<i64>::zeros((classes, classes));
    for (guess, &l) in guesses.into_iter().zip(labels) {
        if let Some(guess) = guess {
            joint[[l as usize, guess]] += 1;
        }
    }
    for k in 0..classes {
        joint[[k, k]] = joint[[k, k]].max(1);
    }
    if calibrate {
        calibrate_joint(&joint, &label_counts(labels, classes))
    } else {
        joint
    }
}

/// cleanlab's `calibrate_confident_joint`: each row scaled to its label count, the whole to
/// the number of images, then rounded keeping row totals.
fn calibrate_joint(joint: &Array2<i64>, counts: &[usize]) -> Array2<i64> {
    let mut cal = joint.mapv(|v| v as f64);
    for (mut row, &n) in cal.axis_iter_mut(Axis(0)).zip(counts) {
        let total = row.sum().max(TINY_VALUE);
        row.mapv_inplace(|v| v / total * n as f64);
    }
    // np.sum over the whole matrix: one pairwise sum over its row-major values.
    let flat: Vec<f64> = cal.iter().copied().collect();
    let total = pairwise_sum(&flat).max(TINY_VALUE);
    let images: usize = counts.iter().sum();
    cal.mapv_inplace(|v| v / total * images as f64);
    round_preserving_row_totals(&cal)
}

/// numpy's pairwise summation (blocks of 128 summed with eight accumulators), so a sum
/// compared after rounding comes out as numpy's does.
pub(crate) fn pairwise_sum(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 8 {
        return values.iter().fold(0.0, |s, &v| s + v);
    }
    if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&values[..8]);
        let mut i = 8;
        while i + 8 <= n {
            for j in 0..8 {
                r[j] += values[i + j];
            }
            i += 8;
        }
        let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &values[i..] {
            s += v;
        }
        return s;
    }
    let half = (n / 2) / 8 * 8;
    pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
}

/// cleanlab's `round_preserving_row_totals`: every row rounded to integers keeping its sum.
fn round_preserving_row_totals(m: &Array2<f64>) -> Array2<i64> {
    let mut out = Array2::<i64>::zeros(m.dim());
    for (row, mut target) in m.axis_iter(Axis(0)).zip(out.axis_iter_mut(Axis(0))) {
        let rounded = round_preserving_sum(&row.to_vec());
        target.iter_mut().zip(rounded).for_each(|(t, v)| *t = v);
    }
    out
}

/// cleanlab's `round_preserving_sum`: round half to even, then move the entries with the
/// largest (or smallest) rounding residue by one until the sum is the rounded sum.
pub(crate) fn round_preserving_sum(floats: &[f64]) -> Vec<i64> {
    let mut ints: Vec<f64> = floats.iter().map(|v| v.round_ties_even()).collect();
    let orig_sum = pairwise_sum(floats).round_ties_even();
    let mut int_sum = pairwise_sum(&ints).round_ties_even();
    while (int_sum - orig_sum).abs() > FLOATING_POINT_COMPARISON {
        let diff = (orig_sum - int_sum).round_ties_even();
        let increment = if diff < 0.0 { -1.0 } else { 1.0 };
        let changes = (diff.abs() as usize).min(floats.len());
        let residue: Vec<f64> = floats.iter().zip(&ints).map(|(f, i)| f - i).collect();
        // np.argsort(floats - ints)[::-increment]: largest residues first when adding.
        let mut order = argsort(&residue);
        if increment > 0.0 {
            order.reverse();
        }
        for &i in order.iter().take(changes) {
            ints[i] += increment;
        }
        int_sum = pairwise_sum(&ints).round_ties_even();
    }
    ints.into_iter().map(|v| v as i64).collect()
}

/// cleanlab's `_keep_at_least_n_per_class` with `_reduce_prune_counts`: the prune counts
/// `[true][given]` (the transposed joint), each diagonal raised to at least `n` by taking
/// evenly from the column's other non-zero entries, off-diagonals scaled by `frac_noise`.
fn prune_counts(joint: &Array2<i64>, n: usize, frac_noise: f64) -> Array2<i64> {
    let pcm = joint.t().mapv(|v| v as f64);
    let k = pcm.nrows();
    let diag: Vec<f64> = (0..k).map(|i| pcm[[i, i]]).collect();
    let new_diag: Vec<f64> = diag.iter().map(|&d| d.max(n as f64)).collect();
    let nonzero_per_col: Vec<f64> = (0..k)
        .map(|j| {
            let nz = pcm.column(j).iter().filter(|&&v| v != 0.0).count() as f64;
            (nz - 1.0).max(1.0)
        })
        .collect();
    let mut m = Array2::from_shape_fn((k, k), |(i, j)| {
        (pcm[[i, j]] - (new_diag[j] - diag[j]) / nonzero_per_col[j]).max(0.0)
    });
    for i in 0..k {
        m[[i, i]] = new_diag[i];
    }
    // _reduce_prune_counts: scale the off-diagonals, give what they lost to the diagonal,
    // then truncate to integers as numpy's astype(int) does.
    let mut reduced = m.mapv(|v| v * frac_noise);
    for j in 0..k {
        let lost: f64 = (0..k)
            .map(|i| {
                if i == j {
                    0.0
                } else {
                    m[[i, j]] - reduced[[i, j]]
                }
            })
            .sum();
        reduced[[j, j]] = m[[j, j]] + lost;
    }
    round_preserving_row_totals(&reduced.mapv(f64::trunc))
}

/// cleanlab's `find_label_issues(..., filter_by="prune_by_noise_rate")`.
pub fn find_label_issues(
    probs: ArrayView2<f64>,
    labels: &[ClassId],
    options: PruneOptions,
) -> ConfidentLearning {
    let classes = probs.ncols();
    let thresholds = confident_thresholds(probs, labels);
    let joint = confident_joint(probs, labels, &thresholds, true);
    let counts = label_counts(labels, classes);
    let prune = prune_counts(&joint, options.min_examples_per_class, options.frac_noise);
    let mut issues = vec![false; labels.len()];
    // cleanlab refuses labels of a single class; nothing can be told apart then.
    if counts.iter().filter(|&&c| c > 0).count() >= 2 {
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
        for (i, &l) in labels.iter().enumerate() {
            by_class[l as usize].push(i);
        }
        for (given, members) in by_class.iter().enumerate() {
            if counts[given] <= options.min_examples_per_class {
                continue;
            }
            for other in (0..classes).filter(|&j| j != given) {
                let count = prune[[other, given]];
                if count <= 0 {
                    continue;
                }
                // np.argsort(-margin), margin = p(other) - p(given): largest first.
                let margin: Vec<f64> = members
                    .iter()
                    .map(|&i| -(probs[[i, other]] - probs[[i, given]]))
                    .collect();
                for &m in argsort(&margin).iter().take(count as usize) {
                    issues[members[m]] = true;
                }
            }
        }
    }
    // cleanlab's _reduce_issues: never flag an image the model puts in its given class.
    for (i, flag) in issues.iter_mut().enumerate() {
        if *flag && predicted_is_given(probs.row(i), labels[i] as usize) {
            *flag = false;
        }
    }
    ConfidentLearning {
        thresholds,
        confident_joint: joint,
        issues,
    }
}

/// Whether the given class wins once nudged by cleanlab's comparison slack.
fn predicted_is_given(row: ArrayView1<f64>, given: usize) -> bool {
    let mut nudged = row.to_owned();
    nudged[given] += FLOATING_POINT_COMPARISON;
    argmax(nudged.view()) == given
}

/// cleanlab's `self_confidence` label quality: p(given label). Low means suspect.
pub fn self_confidence(probs: ArrayView2<f64>, labels: &[ClassId]) -> Vec<f64> {
    labels
        .iter()
        .enumerate()
        .map(|(i, &l)| probs[[i, l as usize]])
        .collect()
}

/// cleanlab's `normalized_margin` label quality: (p(given) - max other p + 1) / 2, in [0, 1].
pub fn normalized_margin(probs: ArrayView2<f64>, labels: &[ClassId]) -> Vec<f64> {
    labels
        .par_iter()
        .enumerate()
        .map(|(i, &l)| {
            let row = probs.row(i);
            let other = row
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != l as usize)
                .fold(f64::NEG_INFINITY, |m, (_, &p)| m.max(p));
            (row[l as usize] - other + 1.0) / 2.0
        })
        .collect()
}

/// cleanlab's `order_label_issues`: the flagged images, lowest quality score first (equal
/// scores in numpy's order).
pub fn order_issues(issues: &[bool], quality: &[f64]) -> Vec<usize> {
    let flagged: Vec<usize> = (0..issues.len()).filter(|&i| issues[i]).collect();
    let scores: Vec<f64> = flagged.iter().map(|&i| quality[i]).collect();
    argsort(&scores).into_iter().map(|j| flagged[j]).collect()
}
