//! The per-class table at a step (precision, recall, count, most confused with) and each
//! figure's change since the previous step: what `deepscope classes` prints and what the
//! viewer's similarity view shows beside the matrix.

use ndarray::Array2;

use super::error::{Error, Invalid, Result};
use super::scores::predicted_classes;
use crate::analysis::class_stats::{ClassRow, class_table as table_of};
use crate::analysis::similarity::confusion_matrix;
use crate::model::{Catalog, StepId};
use crate::store::Store;

/// The table of one step, rows in class-id order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClassTable {
    pub step: StepId,
    /// The step the changes are measured from: the previous step that logged the prediction
    /// layer (`None` at the first, where there is no change to show).
    pub previous: Option<StepId>,
    pub rows: Vec<ClassRow>,
}

/// The previous step before `step` that logged the prediction layer.
pub fn previous_step(catalog: &Catalog, step: StepId) -> Option<StepId> {
    let layer = catalog.prediction_layer()?;
    catalog
        .steps
        .iter()
        .rev()
        .filter(|s| s.step < step)
        .find(|s| s.has_layer(&layer.name))
        .map(|s| s.step)
}

/// The per-class table of `step`, from the prediction layer at that step and at the
/// previous one. The two reads are the cost (the table itself is O(N + K²)): on a
/// 50,000-image, 1,000-class synthetic run about 0.9 s in a debug build, so the viewer asks
/// its worker for it (`Request::Classes`) rather than computing it in `update`.
pub fn class_table(store: &Store, step: StepId) -> Result<ClassTable> {
    class_table_given(store, step, None)
}

/// [`class_table`], with the step's confusion counts when the caller already has them
/// (the viewer computes them for the matrix): only the previous step is then read.
pub fn class_table_given(
    store: &Store,
    step: StepId,
    confusion: Option<&Array2<u32>>,
) -> Result<ClassTable> {
    let catalog = store.catalog();
    let layer = catalog
        .prediction_layer()
        .ok_or_else(|| Error::input(store.path(), Invalid::NoPredictionLayer))?;
    store.check_available(step, &layer.name)?;
    let (k, labels) = (catalog.num_classes(), &catalog.labels);
    let computed;
    let now = match confusion {
        Some(counts) if counts.dim() == (k, k) => counts.view(),
        _ => {
            computed = confusion_matrix(labels, &predicted_classes(store, step)?, k);
            computed.view()
        }
    };
    let previous = previous_step(catalog, step);
    let before = match previous {
        Some(p) => Some(confusion_matrix(labels, &predicted_classes(store, p)?, k)),
        None => None,
    };
    Ok(ClassTable {
        step,
        previous,
        rows: table_of(now, before.as_ref().map(|m| m.view())),
    })
}

/// A fraction as a percentage with one decimal ("95.1"), "-" when undefined: how both
/// front ends write precision and recall.
pub fn percent(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| "-".into(), |f| format!("{:.1}", f * 100.0))
}

/// A change of a fraction in percentage points, signed ("+2.1", "-0.4", "0.0"); "-" when
/// there is no change to show (the first step, or a figure undefined at either step).
pub fn points(change: Option<f64>) -> String {
    match change {
        None => "-".into(),
        // Rounded first, so that -0.04 reads "0.0" and not "-0.0".
        Some(d) => match (d * 1000.0).round() / 10.0 {
            p if p > 0.0 => format!("+{p:.1}"),
            p if p < 0.0 => format!("{p:.1}"),
            _ => "0.0".into(),
        },
    }
}

/// A change of a count, signed ("+3", "-1", "0"); "-" when none.
pub fn signed(change: Option<i64>) -> String {
    match change {
        None => "-".into(),
        Some(d) if d > 0 => format!("+{d}"),
        Some(d) => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_written_with_their_sign_and_none_as_a_dash() {
        assert_eq!(points(Some(0.021)), "+2.1");
        assert_eq!(points(Some(-0.0004)), "0.0");
        assert_eq!(points(Some(-0.25)), "-25.0");
        assert_eq!(points(None), "-");
        assert_eq!(percent(Some(0.9512)), "95.1");
        assert_eq!(
            (signed(Some(3)), signed(Some(-1)), signed(None)),
            ("+3".into(), "-1".into(), "-".into())
        );
    }
}
