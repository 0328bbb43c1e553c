//! Which step, layer, image and class a request is about, checked against the run, with
//! errors that say what exists.

use ndarray::Array2;

use super::error::{Error, Invalid, Result};
use crate::model::{Catalog, ClassId, ImageId, Layer, StepId};
use crate::store::Store;

/// Which layer a request takes when none is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultLayer {
    /// The first features layer (maps, neighbours, clusters, centroids).
    Features,
    /// The layer predictions are read from (logits or probs).
    Prediction,
}

impl DefaultLayer {
    fn pick(self, catalog: &Catalog) -> Option<&Layer> {
        match self {
            DefaultLayer::Features => catalog.default_features_layer(),
            DefaultLayer::Prediction => catalog.prediction_layer(),
        }
    }
}

/// A layer at a step, both checked to exist in the store.
#[derive(Debug, Clone)]
pub struct At {
    pub step: StepId,
    pub layer: Layer,
}

/// Resolves a named (or default) layer and a given step (or the last step that has the
/// layer), and checks the step holds the layer.
pub fn resolve(
    store: &Store,
    layer: Option<&str>,
    step: Option<StepId>,
    default: DefaultLayer,
) -> Result<At> {
    let db = store.path();
    let layer = match layer {
        Some(name) => store.layer(name)?.clone(),
        None => default
            .pick(store.catalog())
            .cloned()
            .ok_or_else(|| Error::input(db, Invalid::NoLayers))?,
    };
    let step = match step {
        Some(step) => step,
        None => last_step_with(store.catalog(), &layer.name)
            .ok_or_else(|| Error::input(db, Invalid::NoStepWithLayer(layer.name.clone())))?,
    };
    store.check_available(step, &layer.name)?;
    Ok(At { step, layer })
}

/// The last step that logged `layer`.
pub fn last_step_with(catalog: &Catalog, layer: &str) -> Option<StepId> {
    catalog
        .steps
        .iter()
        .rev()
        .find(|s| s.has_layer(layer))
        .map(|s| s.step)
}

/// The activations of `at`.
pub fn load(store: &Store, at: &At) -> Result<Array2<f32>> {
    Ok(store.load(at.step, &at.layer.name)?)
}

/// Checks an image id, with an error giving the valid range.
pub fn check_image(store: &Store, image: ImageId) -> Result<()> {
    let count = store.catalog().num_images();
    if (image as usize) < count {
        Ok(())
    } else {
        Err(Error::input(
            store.path(),
            Invalid::NoImage { image, count },
        ))
    }
}

/// Resolves a class given by name or by id, with an error listing the classes.
pub fn class(store: &Store, given: &str) -> Result<ClassId> {
    let classes = &store.catalog().classes;
    if let Some(i) = classes.iter().position(|c| c == given) {
        return Ok(i as ClassId);
    }
    match given.parse::<usize>() {
        Ok(i) if i < classes.len() => Ok(i as ClassId),
        _ => Err(Error::input(
            store.path(),
            Invalid::NoClass {
                given: given.to_string(),
                classes: crate::text::escape(&crate::model::describe_list(classes.clone()))
                    .into_owned(),
            },
        )),
    }
}
