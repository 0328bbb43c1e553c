//! Everything an import needs besides the steps: labels, class names, thumbnails and image
//! names, from whichever files were given, cut to the chosen rows and checked against
//! each other.

use std::path::Path;

use super::folder;
use super::labels::{self, Labels};
use super::pictures::{self, Pictures};
use super::{ImportSpec, at};
use crate::model::Thumbnail;

/// The images' side of an import.
#[derive(Debug, Default)]
pub struct Inputs {
    pub labels: Vec<u32>,
    pub classes: Vec<String>,
    pub thumbnails: Option<Vec<Thumbnail>>,
    pub image_names: Option<Vec<String>>,
    pub notes: Vec<String>,
}

fn class_file(spec: &ImportSpec) -> Result<Option<Vec<String>>, String> {
    let default = spec.steps_dir.join("classes.txt");
    let Some(file) = spec
        .classes
        .clone()
        .or_else(|| default.exists().then_some(default))
    else {
        return Ok(None);
    };
    let bytes = super::read_file(&file)?;
    let text = String::from_utf8_lossy(&bytes);
    let names: Vec<String> = text
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if names.is_empty() {
        return Err(at(&file, "no class names (one per line)"));
    }
    Ok(Some(names))
}

/// `values[range]`, or an error naming the file when the range goes past its end.
fn cut<T>(values: Vec<T>, rows: Option<(usize, usize)>, file: &Path) -> Result<Vec<T>, String> {
    let Some((start, end)) = rows else {
        return Ok(values);
    };
    if end > values.len() || start >= end {
        return Err(at(
            file,
            format!(
                "--rows {start}..{end} does not fit its {} rows",
                values.len()
            ),
        ));
    }
    Ok(values.into_iter().skip(start).take(end - start).collect())
}

fn read_pictures(spec: &ImportSpec) -> Result<Option<Pictures>, String> {
    let Some(path) = spec.images.as_deref() else {
        return Ok(None);
    };
    let size = spec.thumb_size.max(1);
    let mut p = if path.is_dir() {
        folder::read_folder(path, size)?
    } else {
        pictures::read_pictures(path)?
    };
    p.thumbnails = cut(p.thumbnails, spec.rows, path)?;
    p.labels = p.labels.map(|l| cut(l, spec.rows, path)).transpose()?;
    p.image_names = p.image_names.map(|l| cut(l, spec.rows, path)).transpose()?;
    Ok(Some(p))
}

fn read_labels(
    file: &Path,
    spec: &ImportSpec,
    classes: Option<&[String]>,
) -> Result<Labels, String> {
    let mut l = labels::read_labels(file, classes)?;
    l.ids = cut(l.ids, spec.rows, file)?;
    Ok(l)
}

/// Refuses a labels file that disagrees with the class folders the pictures came from.
fn agree(file: &Path, images: &Path, given: &[u32], folders: &[u32]) -> Result<(), String> {
    if given.len() != folders.len() {
        return Err(at(
            file,
            format!(
                "{} labels, but {} has {} pictures",
                given.len(),
                images.display(),
                folders.len()
            ),
        ));
    }
    let differ: Vec<usize> = (0..given.len())
        .filter(|&i| given[i] != folders[i])
        .collect();
    if let Some(&first) = differ.first() {
        return Err(at(
            file,
            format!(
                "disagrees with the class folders of {} for {} of {} images (image {first}: \
                 label {}, folder {}); give only one of them",
                images.display(),
                differ.len(),
                given.len(),
                given[first],
                folders[first]
            ),
        ));
    }
    Ok(())
}

/// Reads and checks labels, classes and pictures.
pub fn gather(spec: &ImportSpec) -> Result<Inputs, String> {
    let named = class_file(spec)?;
    let pictures = read_pictures(spec)?;
    let default_labels = spec.steps_dir.join("labels.npy");
    let from_pictures = pictures.as_ref().and_then(|p| p.labels.clone());
    let labels = match (&spec.labels, from_pictures) {
        (Some(file), from_pictures) => {
            let l = read_labels(file, spec, named.as_deref())?;
            if let (Some(folders), Some(images)) = (from_pictures, spec.images.as_deref()) {
                agree(file, images, &l.ids, &folders)?;
            }
            l
        }
        (None, Some(ids)) => Labels { ids, names: None },
        (None, None) if default_labels.exists() => {
            read_labels(&default_labels, spec, named.as_deref())?
        }
        (None, None) => {
            return Err(at(
                &spec.steps_dir,
                "no labels: give --labels FILE, or put labels.npy in this directory",
            ));
        }
    };
    let mut inputs = Inputs::default();
    let picture_classes = pictures.as_ref().and_then(|p| p.class_names.clone());
    inputs.classes = match (named, labels.names, picture_classes) {
        (Some(n), _, _) | (None, Some(n), _) | (None, None, Some(n)) => n,
        (None, None, None) => labels::numbered_classes(&labels.ids).map_err(|e| {
            let file = spec.labels.clone().unwrap_or(default_labels.clone());
            at(&file, e)
        })?,
    };
    if let Some((i, bad)) = labels
        .ids
        .iter()
        .enumerate()
        .find(|&(_, &l)| l as usize >= inputs.classes.len())
    {
        let file = spec.labels.as_deref().or(spec.images.as_deref());
        let problem = format!(
            "label {bad} of image {i} is outside the {} classes",
            inputs.classes.len()
        );
        return Err(at(file.unwrap_or(&default_labels), problem));
    }
    inputs.labels = labels.ids;
    if let Some(p) = pictures {
        if p.thumbnails.len() != inputs.labels.len() {
            let images = spec.images.as_deref().unwrap_or(Path::new("images"));
            return Err(at(
                images,
                format!(
                    "{} pictures for {} labels",
                    p.thumbnails.len(),
                    inputs.labels.len()
                ),
            ));
        }
        inputs.notes.extend(p.notes);
        inputs.image_names = p.image_names;
        inputs.thumbnails = Some(p.thumbnails);
    }
    Ok(inputs)
}
