//! `deepscope import`: NumPy or safetensors activations, labels, class names and pictures
//! into a database.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::CliResult;
use crate::ingest::{ImportSpec, discover_steps, import};
use crate::model::LayerKind;
use crate::query::Error;

/// Import steps into a stats database
///
/// Steps are step_<N>/<layer>.npy directories, step_<N>.npz archives (np.savez) or
/// step_<N>.safetensors files; arrays may be float16/32/64 or integers, C or Fortran order.
/// Every file's header is checked against its real size before anything is read.
///
/// A new database is written under a temporary name and appears only when every step is in:
/// on any error or signal (SIGINT, SIGTERM, SIGHUP) nothing is left behind. When appending to
/// an existing database each step is one transaction: if step 30 fails, steps before it stay,
/// the error says which went in, and running the same import again adds the rest. A signal
/// while appending stops after the step being written (a second one at once).
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Database to create, or to append new steps to
    pub out: PathBuf,
    /// Directory of steps: step_000040/<layer>.npy, step_000040.npz or step_000040.safetensors
    #[arg(long)]
    pub steps: PathBuf,
    /// Labels: N ints as .npy, a text file (one integer or class name per line), or an IDX
    /// label file (default: STEPS/labels.npy)
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Class names, one per line (default: STEPS/classes.txt, else the class numbers)
    #[arg(long)]
    pub classes: Option<PathBuf>,
    /// Pictures: .npy (N x H x W [x 3] or N x 3 x H x W; uint8, or floats: values in [0, 1]
    /// are scaled by 255, other ranges stretched from their minimum to maximum), IDX images,
    /// a CIFAR .bin batch, or a folder root/CLASS/FILE of PNG, JPEG, WebP or BMP (labels,
    /// class names and file names then come from the folders; --labels must agree)
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// Largest thumbnail side for pictures read from a folder (smaller ones keep their size)
    #[arg(long, default_value_t = 32)]
    pub thumb_size: u32,
    /// Layer kind overrides, e.g. --kind out=logits (default: logits and probs by name, else
    /// the one layer with a column per class is taken as logits, and the import says so)
    #[arg(long = "kind", value_parser = parse_kind)]
    pub kinds: Vec<(String, LayerKind)>,
    /// Rows START..END of the labels and pictures files, when the steps hold only those
    /// images (e.g. 8000..10000 for the last 2,000 of MNIST's test set)
    #[arg(long, value_parser = parse_rows)]
    pub rows: Option<(usize, usize)>,
    /// The run's name (default: the steps directory's name)
    #[arg(long)]
    pub name: Option<String>,
    /// Training steps per epoch: each step's epoch is step / this (1 when steps are epochs)
    #[arg(long, value_parser = parse_positive)]
    pub steps_per_epoch: Option<f64>,
}

fn parse_kind(s: &str) -> Result<(String, LayerKind), String> {
    let (name, kind) = s
        .split_once('=')
        .ok_or("expected NAME=KIND, e.g. out=logits")?;
    Ok((name.to_string(), kind.parse()?))
}

fn parse_rows(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or("expected START..END, e.g. 8000..10000")?;
    let (a, b) = (a.trim().parse::<usize>(), b.trim().parse::<usize>());
    match (a, b) {
        (Ok(a), Ok(b)) if a < b => Ok((a, b)),
        _ => Err("expected START..END with START < END, e.g. 8000..10000".into()),
    }
}

fn parse_positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err("expected a positive number".into()),
    }
}

pub fn run(args: &ImportArgs, out: &mut dyn std::io::Write) -> CliResult {
    let spec = ImportSpec {
        steps_dir: args.steps.clone(),
        labels: args.labels.clone(),
        classes: args.classes.clone(),
        images: args.images.clone(),
        thumb_size: args.thumb_size,
        kinds: args.kinds.clone(),
        rows: args.rows,
        name: args.name.clone(),
        steps_per_epoch: args.steps_per_epoch,
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
    for note in &s.notes {
        eprintln!("{}", crate::text::escape(note));
    }
    writeln!(
        out,
        "{}: {} {} images, {} classes, layers {}{}; {} step{} added{}",
        crate::text::escape(&args.out.display().to_string()),
        if s.created {
            "created with"
        } else {
            "appended to:"
        },
        s.images,
        s.classes,
        crate::text::escape(&s.layers.join(", ")),
        if s.thumbnails { ", thumbnails" } else { "" },
        s.steps_added.len(),
        if s.steps_added.len() == 1 { "" } else { "s" },
        if s.steps_skipped.is_empty() {
            String::new()
        } else {
            format!(", {} already there", s.steps_skipped.len())
        }
    )?;
    Ok(())
}
