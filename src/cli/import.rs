//! `deepscope import`: NumPy activations, labels, class names and pictures into a database.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::CliResult;
use crate::ingest::{ImportSpec, discover_steps, import};
use crate::model::LayerKind;
use crate::query::Error;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Database to create, or to append new steps to
    pub out: PathBuf,
    /// Directory of steps: step_000040/<layer>.npy or step_000040.npz
    #[arg(long)]
    pub steps: PathBuf,
    /// Labels: N ints as .npy, or an IDX label file (default: STEPS/labels.npy)
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Class names, one per line (default: STEPS/classes.txt, else the class numbers)
    #[arg(long)]
    pub classes: Option<PathBuf>,
    /// Pictures: .npy (N x H x W [x 3] uint8), IDX images, a CIFAR .bin batch, or a folder
    /// root/CLASS/FILE (then labels and class names come from the folders)
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// Thumbnail size for pictures read from a folder
    #[arg(long, default_value_t = 32)]
    pub thumb_size: u32,
    /// Layer kind overrides, e.g. --kind out=logits (default: logits and probs by name)
    #[arg(long = "kind", value_parser = parse_kind)]
    pub kinds: Vec<(String, LayerKind)>,
}

fn parse_kind(s: &str) -> Result<(String, LayerKind), String> {
    let (name, kind) = s
        .split_once('=')
        .ok_or("expected NAME=KIND, e.g. out=logits")?;
    Ok((name.to_string(), kind.parse()?))
}

pub fn run(args: &ImportArgs, out: &mut dyn std::io::Write) -> CliResult {
    let spec = ImportSpec {
        steps_dir: args.steps.clone(),
        labels: args.labels.clone(),
        classes: args.classes.clone(),
        images: args.images.clone(),
        thumb_size: args.thumb_size,
        kinds: args.kinds.clone(),
    };
    let total = discover_steps(&args.steps).map_err(Error::Import)?.len();
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} steps {msg}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let result = import(&args.out, &spec, |step| {
        bar.inc(1);
        bar.set_message(format!("step {step}"));
    });
    bar.finish_and_clear();
    let s = result.map_err(Error::Import)?;
    writeln!(
        out,
        "{}: {} {} images, {} classes, layers {}{}; {} steps added{}",
        args.out.display(),
        if s.created {
            "created with"
        } else {
            "appended to:"
        },
        s.images,
        s.classes,
        s.layers.join(", "),
        if s.thumbnails { ", thumbnails" } else { "" },
        s.steps_added.len(),
        if s.steps_skipped.is_empty() {
            String::new()
        } else {
            format!(", {} already there", s.steps_skipped.len())
        }
    )?;
    Ok(())
}
