//! Reads the small tables of a database and checks every invariant of schema version 1
//! that can be checked without reading the activation BLOBs themselves.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension};

use super::error::{APPLICATION_ID, Problem, SCHEMA_VERSION};
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
        return Err(Problem::NewerSchema { found: version });
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

/// Reads the catalog, collecting every problem found rather than stopping at the first.
pub fn read_catalog(conn: &Connection) -> Result<(Catalog, Vec<Problem>), Problem> {
    let mut problems = Vec::new();
    let mut catalog = Catalog {
        meta: read_meta(conn)?,
        ..Default::default()
    };
    catalog.classes = read_classes(conn, &mut problems)?;
    read_images(conn, &mut catalog, &mut problems)?;
    catalog.layers = read_layers(conn, catalog.classes.len(), &mut problems)?;
    catalog.steps = read_steps(conn, &catalog, &mut problems)?;
    catalog.has_thumbnails = check_thumbnails(conn, catalog.labels.len(), &mut problems)?;
    Ok((catalog, problems))
}

/// Re-reads only the steps (and which layers each has): what grows while a run trains.
pub fn read_steps_only(conn: &Connection, catalog: &Catalog) -> Result<Vec<Step>, Problem> {
    let mut problems = Vec::new();
    let steps = read_steps(conn, catalog, &mut problems)?;
    match problems.into_iter().next() {
        Some(p) => Err(p),
        None => Ok(steps),
    }
}

fn read_meta(conn: &Connection) -> Result<BTreeMap<String, String>, Problem> {
    let mut stmt = conn.prepare("SELECT key, value FROM meta")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
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
    let rows: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if rows.is_empty() {
        problems.push(Problem::NoClasses);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    check_dense("class", &ids, problems);
    Ok(rows.into_iter().map(|r| r.1).collect())
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
        let label: i64 = row.get(1)?;
        let name: Option<String> = row.get(2)?;
        let split: Option<String> = row.get(3)?;
        if label < 0 || label as usize >= classes {
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

fn read_layers(
    conn: &Connection,
    classes: usize,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Layer>, Problem> {
    let mut stmt = conn.prepare("SELECT name, dim, kind FROM layers ORDER BY rowid")?;
    let rows: Vec<(String, i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut layers = Vec::new();
    for (name, dim, kind) in rows {
        if dim <= 0 {
            problems.push(Problem::BadLayerDim { layer: name, dim });
            continue;
        }
        let Ok(parsed) = kind.parse::<LayerKind>() else {
            problems.push(Problem::BadLayerKind { layer: name, kind });
            continue;
        };
        if parsed.is_class_scores() && dim as usize != classes && classes > 0 {
            problems.push(Problem::ScoresNotPerClass {
                layer: name.clone(),
                kind,
                dim: dim as usize,
                classes,
            });
        }
        layers.push(Layer {
            name,
            dim: dim as usize,
            kind: parsed,
        });
    }
    Ok(layers)
}

fn read_steps(
    conn: &Connection,
    catalog: &Catalog,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Step>, Problem> {
    let mut stmt = conn.prepare("SELECT step, epoch, wall_time FROM steps ORDER BY step")?;
    let mut steps: Vec<Step> = stmt
        .query_map([], |r| {
            Ok(Step {
                step: r.get(0)?,
                epoch: r.get(1)?,
                wall_time: r.get(2)?,
                layers: vec![],
            })
        })?
        .collect::<Result<_, _>>()?;
    let index: HashMap<StepId, usize> =
        steps.iter().enumerate().map(|(i, s)| (s.step, i)).collect();
    let layer_order: HashMap<&str, usize> = catalog
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();

    // length() reads the BLOB's size from its header without loading its content.
    let mut stmt = conn.prepare("SELECT step, layer, length(data) FROM activations")?;
    let mut rows = stmt.query([])?;
    let images = catalog.num_images();
    while let Some(row) = rows.next()? {
        let step: StepId = row.get(0)?;
        let layer: String = row.get(1)?;
        let length: i64 = row.get::<_, Option<i64>>(2)?.unwrap_or(0);
        let Some(&at) = index.get(&step) else {
            problems.push(Problem::UndeclaredStep { step });
            continue;
        };
        let Some(&li) = layer_order.get(layer.as_str()) else {
            problems.push(Problem::UndeclaredLayer { step, layer });
            continue;
        };
        let dim = catalog.layers[li].dim;
        let expected = images * dim * 4;
        if length as usize != expected {
            problems.push(Problem::BlobLength {
                step,
                layer,
                found: length as usize,
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

fn check_thumbnails(
    conn: &Connection,
    images: usize,
    problems: &mut Vec<Problem>,
) -> Result<bool, Problem> {
    let mut stmt =
        conn.prepare("SELECT image, width, height, channels, length(pixels) FROM thumbnails")?;
    let mut rows = stmt.query([])?;
    let mut any = false;
    let mut reported = 0;
    while let Some(row) = rows.next()? {
        any = true;
        let image: i64 = row.get(0)?;
        let (width, height, channels): (i64, i64, i64) = (row.get(1)?, row.get(2)?, row.get(3)?);
        let found = row.get::<_, Option<i64>>(4)?.unwrap_or(0) as usize;
        let problem = if image < 0 || image as usize >= images {
            Some(Problem::ThumbnailOrphan { image })
        } else if width <= 0 || height <= 0 || !(channels == 1 || channels == 3) {
            Some(Problem::ThumbnailShape {
                image,
                width,
                height,
                channels,
            })
        } else {
            let expected = (width * height * channels) as usize;
            (found != expected).then_some(Problem::ThumbnailSize {
                image,
                found,
                expected,
                width,
                height,
                channels,
            })
        };
        if let Some(p) = problem {
            reported += 1;
            if reported <= 5 {
                problems.push(p);
            }
        }
    }
    Ok(any)
}
