//! `deepscope info`: what a run holds, and how accurate it was at every step.

use std::path::PathBuf;

use clap::Args;

use super::{CliResult, write_json};
use crate::model::{Catalog, Layer, StepId};
use crate::query::scores::accuracy_by_step;
use crate::store::Store;
use crate::text::{escape, escape_path};

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Stats database
    pub db: PathBuf,
    /// Print one JSON object instead of a readable summary
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct InfoJson<'a> {
    images: usize,
    classes: &'a [String],
    layers: &'a [Layer],
    steps: Vec<StepId>,
    accuracy: AccuracyByStep<'a>,
}

/// Accuracy keyed by step, serialised as a JSON object in numeric step order (a map keyed
/// by text would put "100" before "25").
struct AccuracyByStep<'a>(&'a [(StepId, f64)]);

impl serde::Serialize for AccuracyByStep<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (step, accuracy) in self.0 {
            map.serialize_entry(&step.to_string(), accuracy)?;
        }
        map.end()
    }
}

pub fn run(args: &InfoArgs, out: &mut dyn std::io::Write) -> CliResult {
    let store = Store::open(&args.db)?;
    let accuracies = accuracy_by_step(&store)?;
    let catalog = store.catalog();
    if args.json {
        let json = InfoJson {
            images: catalog.num_images(),
            classes: &catalog.classes,
            layers: &catalog.layers,
            steps: catalog.steps.iter().map(|s| s.step).collect(),
            accuracy: AccuracyByStep(&accuracies),
        };
        return write_json(out, &json);
    }
    write_summary(out, &args.db, catalog, &accuracies)?;
    Ok(())
}

fn write_summary(
    out: &mut dyn std::io::Write,
    path: &std::path::Path,
    catalog: &Catalog,
    accuracies: &[(StepId, f64)],
) -> std::io::Result<()> {
    writeln!(out, "{}", escape_path(path))?;
    if let Some(name) = catalog.run_name() {
        writeln!(out, "  run         {}", escape(name))?;
    }
    writeln!(out, "  images      {}", catalog.num_images())?;
    let classes = crate::model::describe_list(catalog.classes.clone());
    let classes = escape(&classes);
    writeln!(out, "  classes     {} ({classes})", catalog.num_classes())?;
    writeln!(
        out,
        "  thumbnails  {}",
        if catalog.has_thumbnails { "yes" } else { "no" }
    )?;
    writeln!(out, "  layers")?;
    for l in &catalog.layers {
        writeln!(out, "    {:<16} {:>6}  {}", escape(&l.name), l.dim, l.kind)?;
    }
    writeln!(out, "  steps       {}", catalog.steps.len())?;
    writeln!(
        out,
        "    {:>10} {:>8}  {:>8}  layers",
        "step", "epoch", "accuracy"
    )?;
    for s in &catalog.steps {
        let epoch = s.epoch.map_or("-".to_string(), |e| format!("{e:.2}"));
        let acc = accuracies
            .iter()
            .find(|(id, _)| *id == s.step)
            .map_or("-".to_string(), |(_, a)| format!("{:.2}%", a * 100.0));
        writeln!(
            out,
            "    {:>10} {:>8}  {:>8}  {}",
            s.step,
            epoch,
            acc,
            escape(&s.layers.join(", "))
        )?;
    }
    Ok(())
}
