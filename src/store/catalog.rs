//! Reads the small tables of a database and checks every invariant of schema version 1
//! that can be checked without reading the activation BLOBs themselves.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension};

use super::cells::{Cell, finite, integer, text};
use super::error::{APPLICATION_ID, Problem, SCHEMA_VERSION};
use super::thumbnails;
use crate::model::{Catalog, Layer, LayerKind, Step, StepId};

const TABLES: [&str; 7] = [
    "meta",
    "classes",
    "images",
    "thumbnails",
    "layers",
    "steps",
    "activations",
];

/// Checks the identity of the file: application id, schema version and tables.
/// These problems are fatal: nothing else can be read sensibly after one of them.
pub fn check_identity(conn: &Connection) -> Result<(), Problem> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app_id != APPLICATION_ID {
        return Err(Problem::NotDeepscope { found: app_id });
    }
    let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Problem::NewerSchema {
            found: version,
            writer: writer_version(conn),
        });
    }
    if version < 1 {
        return Err(Problem::BadSchemaVersion { found: version });
    }
    for table in TABLES {
        let found: Option<String> = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_none() {
            return Err(Problem::MissingTable(table));
        }
    }
    Ok(())
}

/// The version of deepscope that wrote the file, from meta, if it says so. Best effort: a
/// file this new may have changed meta too, so any failure just leaves the writer unnamed.
fn writer_version(conn: &Connection) -> Option<String> {
    let value: Option<Vec<u8>> = conn
        .query_row(
            "SELECT CAST(value AS BLOB) FROM meta WHERE key = 'writer_version'",
            [],
            |r| r.get(0),
        )
        .optional()
        .ok()
        .flatten();
    // Bounded: the line is for a human, and the file is untrusted.
    value.map(|v| String::from_utf8_lossy(&v[..v.len().min(40)]).into_owned())
}

/// Reads the catalog, collecting every problem found rather than stopping at the first.
pub fn read_catalog(conn: &Connection) -> Result<(Catalog, Vec<Problem>), Problem> {
    let mut problems = Vec::new();
    let mut catalog = Catalog {
        meta: read_meta(conn, &mut problems)?,
        ..Default::default()
    };
    catalog.classes = read_classes(conn, &mut problems)?;
    read_images(conn, &mut catalog, &mut problems)?;
    let (layers, rejected) = read_layers(
        conn,
        catalog.classes.len(),
        catalog.labels.len(),
        &mut problems,
    )?;
    catalog.layers = layers;
    catalog.steps = read_steps(conn, &catalog, &rejected, &mut problems)?;
    catalog.has_thumbnails =
        thumbnails::check_thumbnails(conn, catalog.labels.len(), &mut problems)?;
    Ok((catalog, problems))
}

/// Re-reads only the steps (and which layers each has): what grows while a run trains.
pub fn read_steps_only(conn: &Connection, catalog: &Catalog) -> Result<Vec<Step>, Problem> {
    let mut problems = Vec::new();
    let steps = read_steps(conn, catalog, &HashSet::new(), &mut problems)?;
    match problems.into_iter().next() {
        Some(p) => Err(p),
        None => Ok(steps),
    }
}

fn read_meta(
    conn: &Connection,
    problems: &mut Vec<Problem>,
) -> Result<BTreeMap<String, String>, Problem> {
    let mut stmt = conn.prepare("SELECT rowid, key, value FROM meta")?;
    let mut rows = stmt.query([])?;
    let mut meta = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let at = |column| Cell {
            table: "meta",
            row: row.get(0).unwrap_or(-1),
            column,
        };
        let key = text(row, 1, at("key"), problems)?.unwrap_or_default();
        let value = text(row, 2, at("value"), problems)?.unwrap_or_default();
        meta.insert(key, value);
    }
    Ok(meta)
}

/// Checks that ids sorted ascending are exactly 0, 1, 2, ...
fn check_dense(table: &'static str, ids: &[i64], problems: &mut Vec<Problem>) {
    if let Some((position, &found)) = ids.iter().enumerate().find(|&(i, &id)| id != i as i64) {
        problems.push(Problem::IdsNotDense {
            table,
            count: ids.len(),
            position,
            found,
        });
    }
}

fn read_classes(conn: &Connection, problems: &mut Vec<Problem>) -> Result<Vec<String>, Problem> {
    let mut stmt = conn.prepare("SELECT id, name FROM classes ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let (mut ids, mut names) = (Vec::new(), Vec::new());
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let at = Cell {
            table: "classes",
            row: id,
            column: "name",
        };
        ids.push(id);
        names.push(text(row, 1, at, problems)?.unwrap_or_default());
    }
    if ids.is_empty() {
        problems.push(Problem::NoClasses);
    }
    check_dense("class", &ids, problems);
    Ok(names)
}

fn read_images(
    conn: &Connection,
    catalog: &mut Catalog,
    problems: &mut Vec<Problem>,
) -> Result<(), Problem> {
    let mut stmt = conn.prepare("SELECT id, label, name, split FROM images ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut ids = Vec::new();
    let classes = catalog.classes.len();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let at = |column| Cell {
            table: "images",
            row: id,
            column,
        };
        let label = integer(row, 1, at("label"))?;
        let name = text(row, 2, at("name"), problems)?;
        let split = text(row, 3, at("split"), problems)?;
        if label < 0 || label as u64 >= classes as u64 {
            // Report only the first few: a wholly wrong column would otherwise flood `check`.
            let reported = problems
                .iter()
                .filter(|p| matches!(p, Problem::LabelOutOfRange { .. }))
                .count();
            if reported < 5 {
                problems.push(Problem::LabelOutOfRange {
                    image: id,
                    label,
                    classes,
                });
            }
        }
        ids.push(id);
        catalog.labels.push(label.clamp(0, u32::MAX as i64) as u32);
        catalog.image_names.push(name);
        catalog.splits.push(split);
    }
    if ids.is_empty() {
        problems.push(Problem::NoImages);
    }
    check_dense("image", &ids, problems);
    Ok(())
}

/// SQLite's hard upper bound on the size of one BLOB (`SQLITE_MAX_LENGTH` cannot exceed it).
pub(super) const MAX_BLOB_BYTES: u64 = i32::MAX as u64;

/// The exact size of an activation BLOB of `images` rows of `dim` floats, if it can exist.
pub(super) fn blob_bytes(images: usize, dim: usize) -> Option<usize> {
    let bytes = images.checked_mul(dim)?.checked_mul(4)?;
    (bytes as u64 <= MAX_BLOB_BYTES).then_some(bytes)
}

fn read_layers(
    conn: &Connection,
    classes: usize,
    images: usize,
    problems: &mut Vec<Problem>,
) -> Result<(Vec<Layer>, HashSet<String>), Problem> {
    let mut stmt = conn.prepare("SELECT rowid, name, dim, kind FROM layers ORDER BY rowid")?;
    let mut rows = stmt.query([])?;
    let mut layers = Vec::new();
    // Layers declared but refused: their BLOBs are not "undeclared" on top of that.
    let mut rejected = HashSet::new();
    while let Some(row) = rows.next()? {
        let at = |column| Cell {
            table: "layers",
            row: row.get(0).unwrap_or(-1),
            column,
        };
        // A layer's name is a key into activations: lossy text would not find its BLOBs.
        let mut bad_text = Vec::new();
        let name = text(row, 1, at("name"), &mut bad_text)?.unwrap_or_default();
        let dim = integer(row, 2, at("dim"))?;
        let kind = text(row, 3, at("kind"), &mut bad_text)?.unwrap_or_default();
        if let Some(p) = bad_text.into_iter().next() {
            problems.push(Problem::Invalid(p.to_string()));
            rejected.insert(name);
            continue;
        }
        if dim <= 0 {
            rejected.insert(name.clone());
            problems.push(Problem::BadLayerDim { layer: name, dim });
            continue;
        }
        let dim = dim as usize;
        if blob_bytes(images, dim).is_none() {
            rejected.insert(name.clone());
            problems.push(Problem::LayerTooLarge {
                layer: name,
                dim,
                images,
            });
            continue;
        }
        let Ok(parsed) = kind.parse::<LayerKind>() else {
            rejected.insert(name.clone());
            problems.push(Problem::BadLayerKind { layer: name, kind });
            continue;
        };
        if parsed.is_class_scores() && dim != classes && classes > 0 {
            problems.push(Problem::ScoresNotPerClass {
                layer: name.clone(),
                kind,
                dim,
                classes,
            });
        }
        layers.push(Layer {
            name,
            dim,
            kind: parsed,
        });
    }
    Ok((layers, rejected))
}

fn read_steps(
    conn: &Connection,
    catalog: &Catalog,
    rejected: &HashSet<String>,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Step>, Problem> {
    let mut stmt = conn.prepare("SELECT step, epoch, wall_time FROM steps ORDER BY step")?;
    let mut rows = stmt.query([])?;
    let mut steps = Vec::new();
    while let Some(row) = rows.next()? {
        let step: StepId = row.get(0)?;
        let at = |column| Cell {
            table: "steps",
            row: step,
            column,
        };
        steps.push(Step {
            step,
            epoch: finite(row, 1, at("epoch"))?,
            wall_time: finite(row, 2, at("wall_time"))?,
            layers: vec![],
        });
    }
    let index: HashMap<StepId, usize> =
        steps.iter().enumerate().map(|(i, s)| (s.step, i)).collect();
    let layer_order: HashMap<&str, usize> = catalog
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();

    // length() reads the BLOB's size from its header without loading its content.
    let mut stmt = conn.prepare("SELECT rowid, step, layer, length(data) FROM activations")?;
    let mut rows = stmt.query([])?;
    let images = catalog.num_images();
    while let Some(row) = rows.next()? {
        let at = |column| Cell {
            table: "activations",
            row: row.get(0).unwrap_or(-1),
            column,
        };
        let step: StepId = integer(row, 1, at("step"))?;
        // Lossy: a name that is not UTF-8 matches no declared layer and is reported so.
        let layer = text(row, 2, at("layer"), &mut Vec::new())?.unwrap_or_default();
        let length = row.get::<_, Option<i64>>(3)?.unwrap_or(0).max(0) as usize;
        let Some(&at) = index.get(&step) else {
            problems.push(Problem::UndeclaredStep { step });
            continue;
        };
        let Some(&li) = layer_order.get(layer.as_str()) else {
            if !rejected.contains(&layer) {
                problems.push(Problem::UndeclaredLayer { step, layer });
            }
            continue;
        };
        let dim = catalog.layers[li].dim;
        // Layers whose BLOBs could not exist were left out of the catalog.
        let expected = blob_bytes(images, dim).unwrap_or(usize::MAX);
        if length != expected {
            problems.push(Problem::BlobLength {
                step,
                layer,
                found: length,
                expected,
                images,
                dim,
            });
            continue;
        }
        steps[at].layers.push(layer);
    }
    for s in &mut steps {
        s.layers.sort_by_key(|name| layer_order[name.as_str()]);
    }
    Ok(steps)
}
