//! What the analysis subcommands share: the `--step`/`--layer`/`--json` arguments, and
//! class names made safe to print.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use ndarray::Array2;

use crate::analysis::neighbours::Metric;
use crate::model::{ClassId, StepId};
use crate::query::Result;
use crate::query::select::{At, DefaultLayer, load, resolve};
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
    pub at: At,
}

impl Selection {
    /// Opens the store and resolves the step and layer, `default` choosing the layer when
    /// none was named.
    pub fn resolve(&self, default: DefaultLayer) -> Result<Resolved> {
        let store = Store::open(&self.db)?;
        let at = resolve(&store, self.layer.as_deref(), self.step, default)?;
        Ok(Resolved { store, at })
    }
}

impl Resolved {
    pub fn load(&self) -> Result<Array2<f32>> {
        load(&self.store, &self.at)
    }

    /// A class's name, escaped for the terminal.
    pub fn class_name(&self, class: ClassId) -> String {
        class_name(&self.store, class)
    }
}

/// A class's name from the file, escaped for the terminal ("?" for an unknown id).
pub fn class_name(store: &Store, class: ClassId) -> String {
    let name = store
        .catalog()
        .classes
        .get(class as usize)
        .map_or("?", String::as_str);
    crate::text::escape(name).into_owned()
}

/// `--metric` values: a thin mapping, since the kernel's [`Metric`] carries no clap derive.
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
