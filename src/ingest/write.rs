//! Writes an import's steps: every layer of a step is checked before any is declared, each
//! step is one transaction, and when an append fails part-way the error says which steps
//! went in (they stay; importing again adds the rest).

use std::path::Path;

use super::inputs::Inputs;
use super::layers::Matrix;
use super::{ImportSpec, ImportSummary, StepSource, at, cleanup, read_step};
use crate::model::{LayerKind, StepId};
use crate::store::{Store, Writer};

/// The kind of a layer named on the command line or by the rule (logits, probs by name).
fn named_kind(spec: &ImportSpec, name: &str) -> Option<LayerKind> {
    if let Some((_, kind)) = spec.kinds.iter().find(|(n, _)| n == name) {
        return Some(*kind);
    }
    match name {
        "logits" => Some(LayerKind::Logits),
        "probs" => Some(LayerKind::Probs),
        _ => None,
    }
}

/// Kinds for the layers a step declares. When no layer is logits or probs by name or flag
/// (`np.savez(path, f, l)` gives arr_0 and arr_1), the one layer with one column per class
/// is taken as logits, and the note says so.
fn kinds(
    spec: &ImportSpec,
    new: &[(&str, usize)],
    classes: usize,
    have_scores: bool,
) -> (Vec<LayerKind>, Option<String>) {
    let mut kinds: Vec<Option<LayerKind>> = new.iter().map(|(n, _)| named_kind(spec, n)).collect();
    let scores_named = kinds.iter().flatten().any(|k| k.is_class_scores());
    let mut note = None;
    if !have_scores && !scores_named && !new.is_empty() {
        let wide: Vec<usize> = (0..new.len())
            .filter(|&i| kinds[i].is_none() && new[i].1 == classes)
            .collect();
        note = Some(match wide[..] {
            [i] => {
                kinds[i] = Some(LayerKind::Logits);
                let name = new[i].0;
                format!(
                    "note: took layer '{name}' as logits (one column per class, {classes}); \
                     give --kind {name}=features if it is not"
                )
            }
            [] => "note: no layer is logits or probs, so there will be no accuracy; \
                   name one with --kind NAME=logits"
                .to_string(),
            _ => format!(
                "note: layers {} each have one column per class; all taken as features, \
                 say which is logits with --kind NAME=logits",
                wide.iter()
                    .map(|&i| new[i].0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let kinds = kinds
        .into_iter()
        .map(|k| k.unwrap_or(LayerKind::Features))
        .collect();
    (kinds, note)
}

/// Checks one step's layers against the labels, the classes and the layers already declared.
fn check_step(
    source: &Path,
    layers: &[(String, Matrix)],
    writer: &Writer,
    images: usize,
) -> Result<(), String> {
    for (name, values) in layers {
        let values = values.view();
        let bad = values.iter().filter(|v| !v.is_finite()).count();
        if bad > 0 {
            let problem = format!("layer '{name}' has {bad} NaN or infinite values");
            return Err(at(source, problem));
        }
        if values.nrows() != images {
            let problem = format!(
                "layer '{name}' has {} rows, but there are {images} labels",
                values.nrows()
            );
            return Err(at(source, problem));
        }
        if let Some((_, dim)) = writer.layers().iter().find(|(n, _)| n == name)
            && *dim != values.ncols()
        {
            let problem = format!(
                "layer '{name}' has {} values per image, earlier steps {dim}",
                values.ncols()
            );
            return Err(at(source, problem));
        }
    }
    Ok(())
}

/// "steps 0, 10 and 20 were added", for errors and interruptions.
fn went_in(steps: &[StepId]) -> String {
    match steps {
        [] => "no step was added".into(),
        [one] => format!("step {one} was added"),
        [first, .., last] if steps.len() > 6 => {
            format!("{} steps, {first} to {last}, were added", steps.len())
        }
        _ => format!(
            "steps {} were added",
            steps
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn open(
    target: &Path,
    create: bool,
    spec: &ImportSpec,
    inputs: &Inputs,
) -> Result<(Writer, Vec<StepId>, bool), String> {
    if !create {
        let store = Store::open(target).map_err(|e| e.to_string())?;
        let c = store.catalog();
        if c.classes != inputs.classes || c.labels != inputs.labels {
            return Err(at(
                target,
                "holds other classes or labels than this import; append only to the run it came from",
            ));
        }
        let have: Vec<StepId> = c.steps.iter().map(|s| s.step).collect();
        let scores = c.layers.iter().any(|l| l.kind.is_class_scores());
        drop(store);
        let mut writer = Writer::append(target).map_err(|e| e.to_string())?;
        if let Some(name) = &spec.name {
            writer.set_meta("name", name).map_err(|e| e.to_string())?;
        }
        return Ok((writer, have, scores));
    }
    let e = |e: crate::store::StoreError| e.to_string();
    let mut writer = Writer::create(target).map_err(e)?;
    let name = spec.name.clone().unwrap_or_else(|| {
        spec.steps_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    writer.set_meta("name", &name).map_err(e)?;
    writer.add_classes(&inputs.classes).map_err(e)?;
    writer
        .add_images(&inputs.labels, inputs.image_names.as_deref(), None)
        .map_err(e)?;
    if let Some(t) = &inputs.thumbnails {
        writer.add_thumbnails(t).map_err(e)?;
    }
    Ok((writer, vec![], false))
}

/// Writes every step not already in `target`.
pub fn write_all(
    target: &Path,
    create: bool,
    spec: &ImportSpec,
    steps: &[(StepId, StepSource)],
    inputs: &Inputs,
    on_step: &mut impl FnMut(StepId),
) -> Result<ImportSummary, String> {
    let (mut writer, have, mut have_scores) = open(target, create, spec, inputs)?;
    let mut summary = ImportSummary {
        created: create,
        images: inputs.labels.len(),
        classes: inputs.classes.len(),
        steps_added: vec![],
        steps_skipped: vec![],
        layers: writer.layers().iter().map(|(n, _)| n.clone()).collect(),
        thumbnails: inputs.thumbnails.is_some(),
        notes: inputs.notes.clone(),
    };
    for (step, source) in steps {
        if have.contains(step) {
            summary.steps_skipped.push(*step);
            continue;
        }
        if let Some(signal) = cleanup::stop_requested() {
            drop(writer);
            cleanup::exit_for(signal, &went_in(&summary.steps_added));
        }
        let added = |e: String| match (create, &summary.steps_added[..]) {
            (false, [_, ..]) => format!(
                "{e} ({} before this; importing again adds the rest)",
                went_in(&summary.steps_added)
            ),
            _ => e,
        };
        let layers = read_step(source).map_err(added)?;
        check_step(source.path(), &layers, &writer, inputs.labels.len()).map_err(added)?;
        let new: Vec<(&str, usize)> = layers
            .iter()
            .filter(|(n, _)| !writer.layers().iter().any(|(d, _)| d == n))
            .map(|(n, m)| (n.as_str(), m.ncols()))
            .collect();
        let (kinds, note) = kinds(spec, &new, inputs.classes.len(), have_scores);
        for ((name, dim), kind) in new.iter().zip(kinds) {
            if kind.is_class_scores() && *dim != inputs.classes.len() {
                let problem = format!(
                    "layer '{name}' is {kind} but has {dim} columns for {} classes",
                    inputs.classes.len()
                );
                return Err(added(at(source.path(), problem)));
            }
            have_scores |= kind.is_class_scores();
            summary.layers.push(name.to_string());
            writer
                .add_layer(name, *dim, kind)
                .map_err(|e| added(at(source.path(), e.problem)))?;
        }
        summary.notes.extend(note);
        let views: Vec<(&str, ndarray::ArrayView2<f32>)> =
            layers.iter().map(|(n, v)| (n.as_str(), v.view())).collect();
        let epoch = spec.steps_per_epoch.map(|s| *step as f64 / s);
        writer
            .add_step(*step, epoch, None, &views)
            .map_err(|e| added(at(source.path(), e.problem)))?;
        summary.steps_added.push(*step);
        on_step(*step);
    }
    writer.finish().map_err(|e| e.to_string())?;
    Ok(summary)
}
