//! `deepscope import`: activations saved as NumPy files, labels, class names and pictures,
//! into a stats database. A new database is written under a temporary name and renamed
//! when complete; an existing one gets its new steps appended, each in one transaction.

pub mod arrays;
mod folder;

use std::path::{Path, PathBuf};

use ndarray::Array2;

use crate::model::{LayerKind, StepId};
use crate::store::{Store, Writer};
use arrays::{at, read_labels, read_npy_matrix, read_npz, read_pictures};

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
}

/// A step's files: a directory of `<layer>.npy` or one `.npz` archive.
#[derive(Debug, Clone, PartialEq)]
pub enum StepSource {
    Directory(PathBuf),
    Archive(PathBuf),
}

/// Steps found in `dir`: `step_<N>/` directories and `step_<N>.npz` archives, by N.
pub fn discover_steps(dir: &Path) -> Result<Vec<(StepId, StepSource)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| at(dir, e))?;
    let mut steps = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("step_") else {
            continue;
        };
        let (number, source) = match rest.strip_suffix(".npz") {
            Some(n) if path.is_file() => (n, StepSource::Archive(path.clone())),
            None if path.is_dir() => (rest, StepSource::Directory(path.clone())),
            _ => continue,
        };
        if let Ok(step) = number.parse::<StepId>() {
            steps.push((step, source));
        }
    }
    steps.sort_by_key(|(s, _)| *s);
    if steps.is_empty() {
        return Err(at(
            dir,
            "no steps found (expected step_000040/<layer>.npy or step_000040.npz)",
        ));
    }
    Ok(steps)
}

/// The layers of one step, by name.
fn read_step(source: &StepSource) -> Result<Vec<(String, Array2<f32>)>, String> {
    match source {
        StepSource::Archive(path) => read_npz(path),
        StepSource::Directory(dir) => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| at(dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "npy"))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(at(dir, "no .npy files in this step's directory"));
            }
            files
                .iter()
                .map(|f| {
                    let name = f
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    Ok((name, read_npy_matrix(f)?))
                })
                .collect()
        }
    }
}

fn kind_of(spec: &ImportSpec, name: &str) -> LayerKind {
    if let Some((_, kind)) = spec.kinds.iter().find(|(n, _)| n == name) {
        return *kind;
    }
    match name {
        "logits" => LayerKind::Logits,
        "probs" => LayerKind::Probs,
        _ => LayerKind::Features,
    }
}

fn class_names(
    spec: &ImportSpec,
    from_pictures: Option<Vec<String>>,
    labels: &[u32],
) -> Result<Vec<String>, String> {
    let default = spec.steps_dir.join("classes.txt");
    let file = spec
        .classes
        .clone()
        .or_else(|| default.exists().then_some(default));
    if let Some(file) = file {
        let text = std::fs::read_to_string(&file).map_err(|e| at(&file, e))?;
        let names: Vec<String> = text
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if names.is_empty() {
            return Err(at(&file, "no class names (one per line)"));
        }
        return Ok(names);
    }
    if let Some(names) = from_pictures {
        return Ok(names);
    }
    let k = labels.iter().max().map_or(0, |&m| m as usize + 1);
    Ok((0..k).map(|c| c.to_string()).collect())
}

/// Imports into `out`, calling `on_step` after each step is written.
pub fn import(
    out: &Path,
    spec: &ImportSpec,
    mut on_step: impl FnMut(StepId),
) -> Result<ImportSummary, String> {
    let steps = discover_steps(&spec.steps_dir)?;
    let pictures = spec
        .images
        .as_deref()
        .map(|p| read_pictures(p, spec.thumb_size.max(1)))
        .transpose()?;
    let default_labels = spec.steps_dir.join("labels.npy");
    let labels = match (
        &spec.labels,
        pictures.as_ref().and_then(|p| p.labels.clone()),
    ) {
        (Some(file), _) => read_labels(file)?,
        (None, Some(from_pictures)) => from_pictures,
        (None, None) if default_labels.exists() => read_labels(&default_labels)?,
        (None, None) => {
            return Err(at(
                &spec.steps_dir,
                "no labels: give --labels FILE, or put labels.npy in this directory",
            ));
        }
    };
    let (thumbnails, picture_classes) = match pictures {
        Some(p) => (Some(p.thumbnails), p.class_names),
        None => (None, None),
    };
    let classes = class_names(spec, picture_classes, &labels)?;
    if let Some(&bad) = labels.iter().find(|&&l| l as usize >= classes.len()) {
        return Err(format!(
            "label {bad} is outside the {} classes",
            classes.len()
        ));
    }
    if let Some(t) = &thumbnails
        && t.len() != labels.len()
    {
        let images = spec.images.as_deref().unwrap_or(Path::new("images"));
        return Err(at(
            images,
            format!("{} pictures for {} labels", t.len(), labels.len()),
        ));
    }

    let existing = out.exists();
    let target = if existing {
        out.to_path_buf()
    } else {
        partial_path(out)
    };
    let result = write_all(
        &target,
        existing,
        spec,
        &steps,
        &labels,
        &classes,
        thumbnails.as_deref(),
        &mut on_step,
    );
    match (&result, existing) {
        (Ok(_), false) => std::fs::rename(&target, out).map_err(|e| at(out, e))?,
        (Err(_), false) => {
            let _ = std::fs::remove_file(&target);
        }
        _ => {}
    }
    result
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".partial-{}", std::process::id()));
    out.with_file_name(name)
}

#[allow(clippy::too_many_arguments)]
fn write_all(
    target: &Path,
    existing: bool,
    spec: &ImportSpec,
    steps: &[(StepId, StepSource)],
    labels: &[u32],
    classes: &[String],
    thumbnails: Option<&[crate::model::Thumbnail]>,
    on_step: &mut impl FnMut(StepId),
) -> Result<ImportSummary, String> {
    let mut writer;
    let mut have_steps = Vec::new();
    if existing {
        let store = Store::open(target).map_err(|e| e.to_string())?;
        let c = store.catalog();
        if c.classes != classes || c.labels != labels {
            return Err(at(
                target,
                "holds other classes or labels than this import; append only to the run it came from",
            ));
        }
        have_steps = c.steps.iter().map(|s| s.step).collect();
        drop(store);
        writer = Writer::append(target).map_err(|e| e.to_string())?;
    } else {
        writer = Writer::create(target).map_err(|e| e.to_string())?;
        writer
            .set_meta(
                "name",
                &spec
                    .steps_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
            .map_err(|e| e.to_string())?;
        writer.add_classes(classes).map_err(|e| e.to_string())?;
        writer
            .add_images(labels, None, None)
            .map_err(|e| e.to_string())?;
        if let Some(t) = thumbnails {
            writer.add_thumbnails(t).map_err(|e| e.to_string())?;
        }
    }
    let mut summary = ImportSummary {
        created: !existing,
        images: labels.len(),
        classes: classes.len(),
        steps_added: vec![],
        steps_skipped: vec![],
        layers: writer.layers().iter().map(|(n, _)| n.clone()).collect(),
        thumbnails: thumbnails.is_some(),
    };
    for (step, source) in steps {
        if have_steps.contains(step) {
            summary.steps_skipped.push(*step);
            continue;
        }
        let layers = read_step(source)?;
        let source_path = match source {
            StepSource::Archive(p) | StepSource::Directory(p) => p,
        };
        // Every layer is checked before any is declared, so a bad step leaves no trace.
        for (name, values) in &layers {
            let bad = values.iter().filter(|v| !v.is_finite()).count();
            if bad > 0 {
                return Err(at(
                    source_path,
                    format!("layer '{name}' has {bad} NaN or infinite values"),
                ));
            }
            if values.nrows() != labels.len() {
                return Err(at(
                    source_path,
                    format!(
                        "layer '{name}' has {} rows, but there are {} labels",
                        values.nrows(),
                        labels.len()
                    ),
                ));
            }
            if let Some((_, dim)) = writer.layers().iter().find(|(n, _)| n == name)
                && *dim != values.ncols()
            {
                return Err(at(
                    source_path,
                    format!(
                        "layer '{name}' has {} values per image, earlier steps {dim}",
                        values.ncols()
                    ),
                ));
            }
            let kind = kind_of(spec, name);
            if kind.is_class_scores() && values.ncols() != classes.len() {
                return Err(at(
                    source_path,
                    format!(
                        "layer '{name}' is {kind} but has {} columns for {} classes",
                        values.ncols(),
                        classes.len()
                    ),
                ));
            }
        }
        for (name, values) in &layers {
            if !writer.layers().iter().any(|(n, _)| n == name) {
                writer
                    .add_layer(name, values.ncols(), kind_of(spec, name))
                    .map_err(|e| at(source_path, e.problem))?;
                summary.layers.push(name.clone());
            }
        }
        let views: Vec<(&str, ndarray::ArrayView2<f32>)> =
            layers.iter().map(|(n, v)| (n.as_str(), v.view())).collect();
        writer
            .add_step(*step, None, None, &views)
            .map_err(|e| at(source_path, e.problem))?;
        summary.steps_added.push(*step);
        on_step(*step);
    }
    writer.finish().map_err(|e| e.to_string())?;
    Ok(summary)
}
