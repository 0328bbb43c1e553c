//! `deepscope import`: activations saved as NumPy or safetensors files, labels, class names
//! and pictures, into a stats database. Every file is untrusted: sizes come from the files'
//! real lengths, never from a header alone. A new database is written under a temporary
//! name and renamed when complete (removed on any failure or signal); an existing one gets
//! its new steps appended, each in one transaction.

mod cleanup;
mod folder;
pub mod formats;
mod inputs;
pub mod labels;
pub mod layers;
pub mod npy;
pub mod pictures;
mod write;

use std::path::{Path, PathBuf};

use crate::model::{LayerKind, StepId};
use layers::Matrix;

/// What to import.
#[derive(Debug, Clone, Default)]
pub struct ImportSpec {
    pub steps_dir: PathBuf,
    pub labels: Option<PathBuf>,
    pub classes: Option<PathBuf>,
    pub images: Option<PathBuf>,
    pub thumb_size: u32,
    /// Kinds given on the command line, overriding the rule (logits, probs by name).
    pub kinds: Vec<(String, LayerKind)>,
    /// Rows start..end of the labels and pictures files (the steps hold those images).
    pub rows: Option<(usize, usize)>,
    /// The run's name (default: the steps directory's name).
    pub name: Option<String>,
    /// Training steps per epoch: each step's epoch is step / this.
    pub steps_per_epoch: Option<f64>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    pub created: bool,
    pub images: usize,
    pub classes: usize,
    pub steps_added: Vec<StepId>,
    pub steps_skipped: Vec<StepId>,
    pub layers: Vec<String>,
    pub thumbnails: bool,
    /// What was assumed or skipped, one line each, for the user to read.
    pub notes: Vec<String>,
}

/// An error naming the file it is about.
pub fn at(path: &Path, message: impl std::fmt::Display) -> String {
    format!("{}: {message}", path.display())
}

/// A whole file: the allocation is bounded by its real size.
pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| at(path, e))
}

/// A step's files: a directory of `<layer>.npy`, an `.npz` archive or a `.safetensors` file.
#[derive(Debug, Clone, PartialEq)]
pub enum StepSource {
    Directory(PathBuf),
    Archive(PathBuf),
    SafeTensors(PathBuf),
}

impl StepSource {
    pub fn path(&self) -> &Path {
        match self {
            StepSource::Directory(p) | StepSource::Archive(p) | StepSource::SafeTensors(p) => p,
        }
    }
}

const NO_STEPS: &str = "no steps found (expected step_000040/<layer>.npy, step_000040.npz or \
                        step_000040.safetensors)";

/// Steps found in `dir`: `step_<N>/` directories and `step_<N>.npz` or `.safetensors` files,
/// by N. A step file in a format that is not read is an error that names it.
pub fn discover_steps(dir: &Path) -> Result<Vec<(StepId, StepSource)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| at(dir, e))?;
    let mut steps = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("step_") else {
            continue;
        };
        let (number, ext) = rest.split_once('.').unwrap_or((rest, ""));
        let Ok(step) = number.parse::<StepId>() else {
            continue;
        };
        let source = match ext {
            "" if path.is_dir() => StepSource::Directory(path),
            "npz" => StepSource::Archive(path),
            "safetensors" => StepSource::SafeTensors(path),
            _ => {
                formats::refuse_unsupported(&path)?;
                continue;
            }
        };
        steps.push((step, source));
    }
    steps.sort_by_key(|(s, _)| *s);
    if steps.is_empty() {
        return Err(at(dir, NO_STEPS));
    }
    Ok(steps)
}

/// The layers of one step, by name.
pub fn read_step(source: &StepSource) -> Result<Vec<(String, Matrix)>, String> {
    match source {
        StepSource::Archive(path) => layers::read_npz(path),
        StepSource::SafeTensors(path) => layers::read_safetensors(path),
        StepSource::Directory(dir) => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| at(dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            files.sort();
            let mut out = Vec::new();
            for f in &files {
                formats::refuse_unsupported(f)?;
                let stem = || {
                    f.file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                match f.extension().and_then(|e| e.to_str()) {
                    Some("npy") => out.push((stem(), layers::read_npy(f)?)),
                    Some("safetensors") => out.extend(layers::read_safetensors(f)?),
                    _ => {}
                }
            }
            if out.is_empty() {
                return Err(at(
                    dir,
                    "no .npy or .safetensors files in this step's directory",
                ));
            }
            Ok(out)
        }
    }
}

/// Imports into `out`, calling `on_step` after each step is written.
pub fn import(
    out: &Path,
    spec: &ImportSpec,
    mut on_step: impl FnMut(StepId),
) -> Result<ImportSummary, String> {
    cleanup::watch_signals();
    let steps = discover_steps(&spec.steps_dir)?;
    let inputs = inputs::gather(spec)?;
    if out.exists() {
        return write::write_all(out, false, spec, &steps, &inputs, &mut on_step);
    }
    let partial = cleanup::Partial::new(partial_path(out));
    let summary = write::write_all(partial.path(), true, spec, &steps, &inputs, &mut on_step)?;
    partial.keep_as(out).map_err(|e| at(out, e))?;
    Ok(summary)
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".partial-{}", std::process::id()));
    out.with_file_name(name)
}
