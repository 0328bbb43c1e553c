//! Labels from .npy integers, a text file (one integer or class name per line) or an IDX
//! label file. Integers stay integers: no float round trip, out of range is an error.

use std::path::Path;
use std::sync::Arc;

use super::{at, formats, npy, read_file};

/// Without a class-names file, K is the largest label + 1: past this many classes the label
/// is damage (a label of 2,000,000,000 would mean two billion class names).
pub const MAX_UNNAMED_CLASSES: u64 = 100_000;

/// Labels, and the class names when the file gave names rather than numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    pub ids: Vec<u32>,
    pub names: Option<Vec<String>>,
}

/// Reads labels; `classes` are the class names, when known, to resolve text labels.
pub fn read_labels(path: &Path, classes: Option<&[String]>) -> Result<Labels, String> {
    formats::refuse_unsupported(path)?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let bytes = read_file(path)?;
    let parsed = match ext.as_str() {
        "npy" => from_npy(bytes),
        "txt" => from_text(&bytes, classes),
        _ => from_idx(&bytes),
    };
    parsed.map_err(|e| at(path, e))
}

fn from_npy(bytes: Vec<u8>) -> Result<Labels, String> {
    let raw = npy::parse_npy(Arc::new(bytes))?;
    if raw.shape.iter().filter(|&&d| d != 1).count() > 1 || raw.shape.is_empty() {
        return Err(format!("labels must be 1-D, got shape {:?}", raw.shape));
    }
    let values = npy::to_integers(&raw).map_err(|e| format!("labels must be integers: {e}"))?;
    Ok(Labels {
        ids: checked(values)?,
        names: None,
    })
}

fn from_idx(bytes: &[u8]) -> Result<Labels, String> {
    let idx = crate::idx::parse_idx_bytes(bytes)?;
    if idx.dims.len() != 1 {
        return Err(format!(
            "an IDX label file has one dimension, this one has {}",
            idx.dims.len()
        ));
    }
    Ok(Labels {
        ids: idx.data.iter().map(|&v| u32::from(v)).collect(),
        names: None,
    })
}

/// One label per line: all integers, or all class names (resolved against `classes`, or
/// else the sorted distinct names become the classes).
fn from_text(bytes: &[u8], classes: Option<&[String]>) -> Result<Labels, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "labels text is not UTF-8".to_string())?;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.iter().all(|l| l.parse::<i64>().is_ok()) {
        return Ok(Labels {
            ids: checked(lines.iter().filter_map(|l| l.parse().ok()).collect())?,
            names: None,
        });
    }
    let names: Vec<String> = match classes {
        Some(c) => c.to_vec(),
        None => {
            let mut distinct: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            distinct.sort();
            distinct.dedup();
            distinct
        }
    };
    let ids = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            names
                .iter()
                .position(|n| n == l)
                .map(|p| p as u32)
                .ok_or_else(|| format!("line {}: '{l}' is not one of the class names", i + 1))
        })
        .collect::<Result<_, _>>()?;
    Ok(Labels {
        ids,
        names: Some(names),
    })
}

fn checked(values: Vec<i64>) -> Result<Vec<u32>, String> {
    if values.is_empty() {
        return Err("no labels".into());
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            u32::try_from(v)
                .ok()
                .filter(|&l| u64::from(l) < u64::from(u32::MAX))
                .ok_or_else(|| format!("label {v} of image {i} is out of range"))
        })
        .collect()
}

/// Class names by number when no names are given, refusing labels that would mean an
/// absurd number of classes.
pub fn numbered_classes(ids: &[u32]) -> Result<Vec<String>, String> {
    let k = ids.iter().max().map_or(0, |&m| u64::from(m) + 1);
    if k > MAX_UNNAMED_CLASSES {
        return Err(format!(
            "label {} means {k} classes; give their names with --classes FILE if that is right",
            k - 1
        ));
    }
    Ok((0..k).map(|c| c.to_string()).collect())
}
