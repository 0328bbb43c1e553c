//! Per-class figures from a confusion matrix (row: true class, column: predicted class):
//! precision, recall, how many images a class has, the class it is most often taken for,
//! and how each of these changed since another step's matrix.

use ndarray::ArrayView2;

use crate::model::ClassId;

/// What one class's row and column of a confusion matrix say.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ClassStats {
    pub class: ClassId,
    /// Images of this true class (the row's sum).
    pub count: u32,
    /// Images predicted as this class (the column's sum).
    pub predicted: u32,
    /// Images of this class predicted as it (the diagonal).
    pub correct: u32,
    /// correct / predicted, as a fraction; `None` when nothing is predicted as the class.
    pub precision: Option<f64>,
    /// correct / count, as a fraction; `None` for a class with no images.
    pub recall: Option<f64>,
    /// The class this one is most often predicted as when wrong, and how many times (the
    /// lowest class id on ties); `None` when no image of it is misclassified.
    pub confused_with: Option<(ClassId, u32)>,
}

/// How a class's figures changed from an earlier step to this one.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ClassChange {
    /// Difference of the fractions (0.021 = 2.1 points); `None` when either is undefined.
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    /// Change of the count of the cell this step calls most confused (true class →
    /// `confused_with`) since the earlier step; `None` when there is no such cell.
    pub confused: Option<i64>,
}

/// One row of the table: a class's figures and, when an earlier matrix is given, their
/// change since then.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ClassRow {
    #[serde(flatten)]
    pub stats: ClassStats,
    pub change: Option<ClassChange>,
}

/// The figures of every class of a K x K confusion matrix, in class-id order.
pub fn class_stats(confusion: ArrayView2<u32>) -> Vec<ClassStats> {
    let k = confusion.nrows().min(confusion.ncols());
    (0..k)
        .map(|c| {
            let row = confusion.row(c);
            let count: u32 = row.iter().take(k).sum();
            let predicted: u32 = confusion.column(c).iter().take(k).sum();
            let correct = confusion[[c, c]];
            let fraction = |n: u32, of: u32| (of > 0).then(|| f64::from(n) / f64::from(of));
            // The first largest off-diagonal count: ties go to the lowest class id.
            let mut confused_with: Option<(ClassId, u32)> = None;
            for (j, &n) in row.iter().enumerate().take(k) {
                if j != c && n > 0 && confused_with.is_none_or(|(_, best)| n > best) {
                    confused_with = Some((j as ClassId, n));
                }
            }
            ClassStats {
                class: c as ClassId,
                count,
                predicted,
                correct,
                precision: fraction(correct, predicted),
                recall: fraction(correct, count),
                confused_with,
            }
        })
        .collect()
}

/// The table of a confusion matrix `now`, with each figure's change since `before` (an
/// earlier step's matrix of the same classes) when given.
pub fn class_table(now: ArrayView2<u32>, before: Option<ArrayView2<u32>>) -> Vec<ClassRow> {
    let earlier = before.map(|m| (m, class_stats(m)));
    class_stats(now)
        .into_iter()
        .map(|stats| {
            let change = earlier.as_ref().map(|(before, earlier)| {
                let then = earlier.get(stats.class as usize);
                let diff = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
                ClassChange {
                    precision: diff(stats.precision, then.and_then(|t| t.precision)),
                    recall: diff(stats.recall, then.and_then(|t| t.recall)),
                    confused: stats.confused_with.and_then(|(j, n)| {
                        let was = before.get([stats.class as usize, j as usize])?;
                        Some(i64::from(n) - i64::from(*was))
                    }),
                }
            });
            ClassRow { stats, change }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn precision_recall_and_the_commonest_confusion() {
        // Class 0: 10 images, 7 right, 3 taken for 1; class 2 is never predicted.
        let m = array![[7u32, 3, 0], [1, 5, 0], [0, 4, 0]];
        let s = class_stats(m.view());
        assert_eq!((s[0].count, s[0].predicted, s[0].correct), (10, 8, 7));
        assert_eq!(s[0].precision, Some(7.0 / 8.0));
        assert_eq!(s[0].recall, Some(0.7));
        assert_eq!(s[0].confused_with, Some((1, 3)));
        assert_eq!(s[1].confused_with, Some((0, 1)));
        assert_eq!(s[2].precision, None, "nothing predicted as 2");
        assert_eq!(s[2].recall, Some(0.0));
        assert_eq!(s[2].confused_with, Some((1, 4)));
    }

    #[test]
    fn ties_go_to_the_lowest_class_and_empty_rows_have_no_recall() {
        let m = array![[1u32, 3, 3], [0, 0, 0], [0, 0, 2]];
        let s = class_stats(m.view());
        assert_eq!(s[0].confused_with, Some((1, 3)));
        assert_eq!((s[1].recall, s[1].confused_with), (None, None));
        assert_eq!(s[2].confused_with, None);
    }

    #[test]
    fn changes_are_differences_from_the_earlier_matrix() {
        let before = array![[5u32, 5], [0, 10]];
        let now = array![[8u32, 2], [1, 9]];
        let t = class_table(now.view(), Some(before.view()));
        let c = t[0].change.unwrap();
        assert!((c.recall.unwrap() - 0.3).abs() < 1e-12);
        assert!((c.precision.unwrap() - (8.0 / 9.0 - 1.0)).abs() < 1e-12);
        assert_eq!(c.confused, Some(-3));
        // Class 1 was never confused before: its new confusion counts from zero.
        assert_eq!(t[1].change.unwrap().confused, Some(1));
        assert!(class_table(now.view(), None)[0].change.is_none());
    }
}
