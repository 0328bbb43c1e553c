//! What the analysis subcommands share: choosing the step and layer, loading predictions,
//! and errors that list what exists.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use ndarray::Array2;

use super::CliError;
use crate::analysis::neighbours::Metric;
use crate::analysis::predict::{Prediction, predict};
use crate::model::{ClassId, ImageId, Layer, StepId};
use crate::store::Store;

/// `--step` and `--layer`, shared by the analysis subcommands.
#[derive(Debug, Args, Clone)]
pub struct Selection {
    /// Stats database
    pub db: PathBuf,
    /// Step (checkpoint) to analyse (default: the last step that has the layer)
    #[arg(long)]
    pub step: Option<StepId>,
    /// Layer to analyse (default: the first features layer)
    #[arg(long)]
    pub layer: Option<String>,
    /// Print JSON instead of a readable table
    #[arg(long)]
    pub json: bool,
}

/// A store with the step and layer resolved and checked.
pub struct Resolved {
    pub store: Store,
    pub step: StepId,
    pub layer: Layer,
}

impl Selection {
    /// Opens the store and resolves the step and layer, with `default_layer` choosing the
    /// layer when none was named.
    pub fn resolve(
        &self,
        default_layer: fn(&Store) -> Option<Layer>,
    ) -> Result<Resolved, CliError> {
        let store = Store::open(&self.db)?;
        let layer = match &self.layer {
            Some(name) => store.layer(name)?.clone(),
            None => default_layer(&store)
                .ok_or_else(|| input(&self.db, "the database has no layers"))?,
        };
        let step = match self.step {
            Some(step) => step,
            None => last_step_with(&store, &layer.name)
                .ok_or_else(|| input(&self.db, &format!("no step has layer '{}'", layer.name)))?,
        };
        store.check_available(step, &layer.name)?;
        Ok(Resolved { store, step, layer })
    }
}

pub fn features_layer(store: &Store) -> Option<Layer> {
    store.catalog().default_features_layer().cloned()
}

pub fn prediction_layer(store: &Store) -> Option<Layer> {
    store.catalog().prediction_layer().cloned()
}

fn last_step_with(store: &Store, layer: &str) -> Option<StepId> {
    store
        .catalog()
        .steps
        .iter()
        .rev()
        .find(|s| s.has_layer(layer))
        .map(|s| s.step)
}

pub fn input(db: &Path, message: &str) -> CliError {
    CliError::Input(format!("{}: {message}", db.display()))
}

impl Resolved {
    pub fn load(&self) -> Result<Array2<f32>, CliError> {
        Ok(self.store.load(self.step, &self.layer.name)?)
    }

    /// Predictions at the resolved step, from the run's prediction layer.
    pub fn predictions(&self) -> Result<Vec<Prediction>, CliError> {
        let db = self.store.path();
        let layer = self
            .store
            .catalog()
            .prediction_layer()
            .ok_or_else(|| input(db, "the run has no logits or probs layer to predict from"))?;
        let scores = self.store.load(self.step, &layer.name)?;
        Ok(predict(scores.view(), layer.kind))
    }

    pub fn class_name(&self, class: ClassId) -> String {
        let name = self
            .store
            .catalog()
            .classes
            .get(class as usize)
            .map_or("?", String::as_str);
        super::escape(name).into_owned()
    }

    /// Checks an image id, with an error giving the valid range.
    pub fn check_image(&self, image: ImageId) -> Result<(), CliError> {
        let n = self.store.catalog().num_images();
        if (image as usize) < n {
            Ok(())
        } else {
            Err(input(
                self.store.path(),
                &format!("no image {image}; images are 0..{}", n.saturating_sub(1)),
            ))
        }
    }

    /// Resolves a class given by id or by name, with an error listing the classes.
    pub fn class(&self, given: &str) -> Result<ClassId, CliError> {
        let classes = &self.store.catalog().classes;
        if let Some(i) = classes.iter().position(|c| c == given) {
            return Ok(i as ClassId);
        }
        match given.parse::<usize>() {
            Ok(i) if i < classes.len() => Ok(i as ClassId),
            _ => Err(input(
                self.store.path(),
                &format!(
                    "no class '{given}'; classes are {}",
                    crate::model::describe_list(classes.clone())
                ),
            )),
        }
    }
}

/// `--metric` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    Cosine,
    Euclidean,
}

impl From<MetricArg> for Metric {
    fn from(m: MetricArg) -> Metric {
        match m {
            MetricArg::Cosine => Metric::Cosine,
            MetricArg::Euclidean => Metric::Euclidean,
        }
    }
}
