//! Known answers for confident learning, the dynamics and the rankings (worked by hand; the
//! agreement with cleanlab itself is tested against its fixtures in tests/suspects.rs).

use approx::assert_abs_diff_eq;
use ndarray::{Array2, array};

use super::confident::*;
use super::dynamics::DynamicsBuilder;
use super::*;
use crate::model::LayerKind;

/// Six images of two classes; image 2 is labelled 0 but looks like a 1, and images 4 and 5
/// are too unsure to be counted anywhere.
fn two_classes() -> (Array2<f64>, Vec<ClassId>) {
    let probs = array![
        [0.9, 0.1],
        [0.8, 0.2],
        [0.2, 0.8],
        [0.1, 0.9],
        [0.3, 0.7],
        [0.4, 0.6]
    ];
    (probs, vec![0, 0, 0, 1, 1, 1])
}

#[test]
fn thresholds_joint_and_issues_by_hand() {
    let (probs, labels) = two_classes();
    let t = confident_thresholds(probs.view(), &labels);
    assert_abs_diff_eq!(t[0], 1.9 / 3.0, epsilon = 1e-12);
    assert_abs_diff_eq!(t[1], 2.2 / 3.0, epsilon = 1e-12);
    // Counted: 0 -> 0, 1 -> 0, 2 -> 1, 3 -> 1; 4 and 5 reach no threshold.
    let raw = confident_joint(probs.view(), &labels, &t, false);
    assert_eq!(raw, array![[2, 1], [0, 1]]);
    // Calibrated: row 1 is scaled from 1 to its 3 images.
    let cj = confident_joint(probs.view(), &labels, &t, true);
    assert_eq!(cj, array![[2, 1], [0, 3]]);
    let cl = find_label_issues(probs.view(), &labels, PruneOptions::default());
    assert_eq!(cl.issues, vec![false, false, true, false, false, false]);
}

#[test]
fn classes_too_small_or_alone_are_not_pruned() {
    let (probs, mut labels) = two_classes();
    // Class 0 reduced to image 2 alone: at most min_examples_per_class images, never pruned.
    labels[0] = 1;
    labels[1] = 1;
    let cl = find_label_issues(probs.view(), &labels, PruneOptions::default());
    assert!(!cl.issues[2]);
    // One class only: nothing can be told apart (cleanlab refuses such labels).
    let cl = find_label_issues(probs.view(), &[1; 6], PruneOptions::default());
    assert!(cl.issues.iter().all(|&f| !f));
    // A class nobody is labelled with gets a threshold no probability reaches.
    let t = confident_thresholds(probs.view(), &[1; 6]);
    assert_eq!(t[0], 2.0);
    // frac_noise = 0 keeps no error at all.
    let (probs, labels) = two_classes();
    let none = PruneOptions {
        frac_noise: 0.0,
        ..PruneOptions::default()
    };
    let cl = find_label_issues(probs.view(), &labels, none);
    assert!(cl.issues.iter().all(|&f| !f));
}

#[test]
fn prediction_equal_to_label_is_never_flagged() {
    // Image 2 labelled 0 with p = (0.5, 0.5): the 1e-6 nudge makes its label the prediction.
    let probs = array![
        [0.9, 0.1],
        [0.8, 0.2],
        [0.5, 0.5],
        [0.45, 0.55],
        [0.55, 0.45]
    ];
    let labels = [0, 0, 0, 1, 1];
    let t = confident_thresholds(probs.view(), &labels);
    let cj = confident_joint(probs.view(), &labels, &t, true);
    assert!(
        cj[[0, 1]] > 0,
        "the joint expects an error in class 0: {cj}"
    );
    let cl = find_label_issues(probs.view(), &labels, PruneOptions::default());
    assert!(cl.issues.iter().all(|&f| !f));
}

#[test]
fn quality_scores_and_their_order() {
    let (probs, labels) = two_classes();
    let sc = self_confidence(probs.view(), &labels);
    assert_eq!(sc, vec![0.9, 0.8, 0.2, 0.9, 0.7, 0.6]);
    let nm = normalized_margin(probs.view(), &labels);
    assert_abs_diff_eq!(nm[2], (0.2 - 0.8 + 1.0) / 2.0, epsilon = 1e-12);
    assert_abs_diff_eq!(nm[3], (0.9 - 0.1 + 1.0) / 2.0, epsilon = 1e-12);
    // Flagged 0, 3, 4, 5: ordered by score, the tie 0/3 (0.9) in id order.
    let order = order_issues(&[true, false, false, true, true, true], &sc);
    assert_eq!(order, vec![5, 4, 0, 3]);
}

#[test]
fn softmax_in_f64_is_stable() {
    let p = softmax_f64(array![[1000.0f32, 1000.0, 0.0], [0.0, 0.0, 0.0]].view());
    assert_abs_diff_eq!(p[[0, 0]], 0.5, epsilon = 1e-15);
    assert_abs_diff_eq!(p[[1, 2]], 1.0 / 3.0, epsilon = 1e-15);
}

#[test]
fn pairwise_sum_matches_numpy_blocking() {
    // Below 8 values: left to right. 1e16 + 1 + 1 loses both ones left to right.
    assert_eq!(pairwise_sum(&[1e16, 1.0, 1.0]), 1e16);
    // Eight accumulators: the ones meet each other before meeting 1e16.
    let mut v = vec![0.0; 16];
    v[0] = 1e16;
    v[8] = 1.0;
    v[1] = 1.0;
    v[9] = 1.0;
    // r0 = 1e16 + 1 (lost), r1 = 1 + 1 = 2: total 1e16 + 2.
    assert_eq!(pairwise_sum(&v), 1e16 + 2.0);
    let long: Vec<f64> = (0..1000).map(f64::from).collect();
    assert_eq!(pairwise_sum(&long), 499_500.0);
}

#[test]
fn dynamics_by_hand() {
    // Image 0 labelled 0: lost to class 1 at step 0, won at step 1 and 2.
    // Image 1 labelled 2: always lost to class 1.
    let steps = [
        array![[1.0f32, 2.0, 0.0], [0.0, 3.0, 1.0]],
        array![[3.0f32, 0.0, 1.0], [0.0, 2.0, 0.0]],
        array![[4.0f32, 0.0, 0.0], [1.0, 4.0, 0.0]],
    ];
    let mut b = DynamicsBuilder::new(&[0, 2], 3);
    for (s, logits) in steps.iter().enumerate() {
        b.add_step(10 * s as i64, logits.view(), LayerKind::Logits);
    }
    let d = b.finish();
    assert_eq!(d.steps, vec![0, 10, 20]);
    // AUM: (-1 + 2 + 4) / 3 and (-2 - 2 - 4) / 3.
    assert_abs_diff_eq!(d.images[0].aum, 5.0 / 3.0, epsilon = 1e-9);
    assert_abs_diff_eq!(d.images[1].aum, -8.0 / 3.0, epsilon = 1e-9);
    assert_eq!(d.images[0].learned_at, Some(10));
    assert_eq!(d.images[1].learned_at, None);
    assert_eq!(d.images[1].suggested, 1);
    let e = 1f32.exp();
    assert_abs_diff_eq!(d.p_given[[0, 0]], e / (1.0 + e * e + e), epsilon = 1e-6);
    let ranked = rank_dynamics(&d);
    assert_eq!(ranked.len(), 1);
    assert_eq!((ranked[0].image, ranked[0].suggested), (1, 1));
    assert_abs_diff_eq!(ranked[0].score, 1.0 / (1.0 + (-8.0f64 / 3.0).exp()));
    // The same run stored as probabilities gives the same margins.
    let mut b = DynamicsBuilder::new(&[0, 2], 3);
    for (s, logits) in steps.iter().enumerate() {
        let probs = softmax_f64(logits.view()).mapv(|p| p as f32);
        b.add_step(10 * s as i64, probs.view(), LayerKind::Probs);
    }
    assert_abs_diff_eq!(b.finish().images[1].aum, -8.0 / 3.0, epsilon = 1e-5);
}

#[test]
fn combined_ranks_what_both_agree_on_first() {
    let (probs, labels) = two_classes();
    let mut b = DynamicsBuilder::new(&labels, 2);
    // Over training, image 2 always looked like a 1, image 5 mostly like a 0.
    let logits = array![
        [2.0f32, 0.0],
        [2.0, 0.0],
        [0.0, 3.0],
        [0.0, 2.0],
        [0.0, 1.0],
        [1.0, 0.0]
    ];
    b.add_step(0, logits.view(), LayerKind::Logits);
    let d = b.finish();
    let e = step_evidence(probs.view(), &labels);
    let ranked = rank_combined(&e, RankBy::SelfConfidence, probs.view(), &d, &labels);
    assert_eq!(
        ranked.iter().map(|r| r.image).collect::<Vec<_>>(),
        vec![2, 5]
    );
    assert_eq!(ranked[0].suggested, 1);
    assert_abs_diff_eq!(
        ranked[0].score,
        0.5 * (1.0 - 0.2) + 0.5 / (1.0 + (-3.0f64).exp()),
        epsilon = 1e-12
    );
    let confident = rank_confident(&e, RankBy::SelfConfidence);
    assert_eq!(confident.len(), 1);
    assert_abs_diff_eq!(confident[0].score, 0.8, epsilon = 1e-12);
}

#[test]
fn rounding_keeps_row_totals_and_breaks_ties_as_numpy() {
    // Five equal residues of 0.4 summing to 2: numpy's argsort, reversed, puts the last two
    // first (under 17 values its sort is an insertion sort, stable).
    assert_eq!(round_preserving_sum(&[0.4; 5]), vec![0, 0, 0, 1, 1]);
    assert_eq!(round_preserving_sum(&[0.5, 1.5, 2.5]), vec![0, 2, 2]);
    assert_eq!(round_preserving_sum(&[0.6, 0.6, 0.8]), vec![0, 1, 1]);
    // Twenty equal residues summing to 8: numpy's quicksort partition leaves the equal values
    // as [0, 17, 16, ..., 1, 18, 19]; reversed, 19, 18 and 1..=6 go up. cleanlab's
    // round_preserving_sum([0.4] * 20) on numpy's portable kernels says the same.
    let mut want = vec![0; 20];
    for i in [1, 2, 3, 4, 5, 6, 18, 19] {
        want[i] = 1;
    }
    assert_eq!(round_preserving_sum(&[0.4; 20]), want);
}
