//! Class-similarity matrices of a step and the hierarchical order of the classes. The CLI
//! computes the one matrix its `--source` names; the viewer computes them all once per step;
//! both turn them into what is shown and what orders the classes by the same functions.

use ndarray::Array2;

use super::error::{Error, Invalid, Result};
use super::scores::predicted_classes;
use super::select::At;
use crate::analysis::ordering::{ClassOrder, Linkage, order_classes};
use crate::analysis::similarity::{
    SimilaritySource, centroid_cosine, confusion_matrix, confusion_similarity, logit_correlation,
};
use crate::model::StepId;
use crate::store::Store;

/// The matrices of one step, K x K in class-id order; `None` where not computed (or, for
/// centroids, where the step has no features layer).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matrices {
    /// Logit correlation, negatives clipped.
    pub correlation: Option<Array2<f64>>,
    /// Confusion counts (row: true class, column: predicted class).
    pub confusion: Option<Array2<u32>>,
    /// Cosine similarity of the class means of a features layer.
    pub centroids: Option<Array2<f64>>,
}

/// What one source gives: the matrix shown, and the matrix the classes are ordered by.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMatrix {
    /// K x K in class-id order: similarities as they are, confusion as counts.
    pub shown: Array2<f64>,
    /// Similarities as they are; confusion counts as symmetric confusion rates.
    pub ordering: Array2<f64>,
}

impl SourceMatrix {
    fn similarity(m: &Array2<f64>) -> SourceMatrix {
        SourceMatrix {
            shown: m.clone(),
            ordering: m.clone(),
        }
    }

    /// Confusion counts, with or without the diagonal.
    fn confusion(counts: &Array2<u32>, diagonal: bool) -> SourceMatrix {
        let mut shown = counts.mapv(f64::from);
        if !diagonal {
            shown.diag_mut().fill(0.0);
        }
        SourceMatrix {
            shown,
            ordering: confusion_similarity(counts.view(), diagonal),
        }
    }

    /// The classes in the dendrogram order of this matrix.
    pub fn order(&self, linkage: Linkage) -> ClassOrder {
        order_classes(self.ordering.view(), linkage)
    }
}

impl Matrices {
    /// `source`'s matrices, if computed.
    pub fn source(&self, source: SimilaritySource) -> Option<SourceMatrix> {
        match source {
            SimilaritySource::Logits => self.correlation.as_ref().map(SourceMatrix::similarity),
            SimilaritySource::Confusion => {
                Some(SourceMatrix::confusion(self.confusion.as_ref()?, true))
            }
            SimilaritySource::ConfusionOffdiag => {
                Some(SourceMatrix::confusion(self.confusion.as_ref()?, false))
            }
            SimilaritySource::Centroids => self.centroids.as_ref().map(SourceMatrix::similarity),
        }
    }
}

/// Every matrix of `step`: correlation and confusion from the prediction layer, centroids
/// from `features` when the step has it. What the viewer keeps per step.
pub fn all_matrices(store: &Store, step: StepId, features: Option<&str>) -> Result<Matrices> {
    let catalog = store.catalog();
    let layer = catalog
        .prediction_layer()
        .ok_or_else(|| Error::input(store.path(), Invalid::NoPredictionLayer))?;
    let scores = store.load(step, &layer.name)?;
    let (k, labels) = (catalog.num_classes(), &catalog.labels);
    let centroids = match features {
        Some(f) if catalog.step(step).is_some_and(|s| s.has_layer(f)) => {
            Some(centroid_cosine(store.load(step, f)?.view(), labels, k))
        }
        _ => None,
    };
    let predicted: Vec<_> = crate::analysis::predict::predict(scores.view(), layer.kind)
        .iter()
        .map(|p| p.class)
        .collect();
    Ok(Matrices {
        correlation: Some(logit_correlation(scores.view())),
        confusion: Some(confusion_matrix(labels, &predicted, k)),
        centroids,
    })
}

/// The one matrix `source` needs, from the layer at `at` (class scores for the logit
/// correlation, features for centroids; confusion always from the prediction layer).
pub fn source_matrix(store: &Store, at: &At, source: SimilaritySource) -> Result<SourceMatrix> {
    let catalog = store.catalog();
    let (k, labels) = (catalog.num_classes(), &catalog.labels);
    Ok(match source {
        SimilaritySource::Logits => {
            if !at.layer.kind.is_class_scores() {
                return Err(Error::input(
                    store.path(),
                    Invalid::NotLogitsOrProbs(at.layer.name.clone()),
                ));
            }
            let scores = store.load(at.step, &at.layer.name)?;
            SourceMatrix::similarity(&logit_correlation(scores.view()))
        }
        SimilaritySource::Confusion | SimilaritySource::ConfusionOffdiag => {
            let predicted = predicted_classes(store, at.step)?;
            let counts = confusion_matrix(labels, &predicted, k);
            SourceMatrix::confusion(&counts, source == SimilaritySource::Confusion)
        }
        SimilaritySource::Centroids => {
            let features = store.load(at.step, &at.layer.name)?;
            SourceMatrix::similarity(&centroid_cosine(features.view(), labels, k))
        }
    })
}
