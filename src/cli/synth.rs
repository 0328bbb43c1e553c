//! `deepscope synth`: write a synthetic run with a known class hierarchy.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::CliResult;
use crate::query::Error;
use crate::store::{Journal, Writer};
use crate::synth::{SynthParams, write_with_label_noise};

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Database to create (must not exist)
    pub out: PathBuf,
    #[arg(long, default_value_t = 10_000)]
    pub images: usize,
    #[arg(long, default_value_t = 100)]
    pub classes: usize,
    #[arg(long, default_value_t = 64)]
    pub dim: usize,
    #[arg(long, default_value_t = 20)]
    pub steps: usize,
    /// Number of super-classes (default: about √classes)
    #[arg(long)]
    pub superclasses: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Share of labels to flip to another class (0..=1); the activations keep following the
    /// true class, and the flipped image ids go to the meta key `flipped_labels`
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub label_noise: f64,
}

pub fn run(args: &SynthArgs, out: &mut dyn std::io::Write) -> CliResult {
    let params = SynthParams {
        images: args.images,
        classes: args.classes,
        dim: args.dim,
        steps: args.steps,
        superclasses: args
            .superclasses
            .unwrap_or(((args.classes as f64).sqrt().round() as usize).max(1)),
        seed: args.seed,
    };
    params.check().map_err(|message| Error::Synth {
        out: args.out.clone(),
        message,
    })?;
    if !(0.0..=1.0).contains(&args.label_noise) {
        return Err(Error::Synth {
            out: args.out.clone(),
            message: format!(
                "--label-noise must be a fraction in 0..=1, got {}",
                args.label_noise
            ),
        });
    }
    let mut writer = Writer::create_with(&args.out, Journal::Rollback)?;
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(params.steps as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} steps {elapsed} (eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let result = write_with_label_noise(&params, args.label_noise, &mut writer, |_| bar.inc(1));
    bar.finish_and_clear();
    if let Err(e) = result {
        // Nothing half-written stays behind: the file was created by this command.
        drop(writer);
        let _ = std::fs::remove_file(&args.out);
        return Err(e.into());
    }
    writer.finish()?;
    let bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    let secs = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "{}: {} images, {} classes in {} super-classes, {} dims, {} steps; {:.1} MB in {:.1} s ({:.0} MB/s)",
        crate::text::escape_path(&args.out),
        params.images,
        params.classes,
        params.superclasses,
        params.dim,
        params.steps,
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs.max(1e-9)
    )?;
    Ok(())
}
