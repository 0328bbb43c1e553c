//! Every way a stats database can be broken gets a clear one-line error naming the file and
//! the problem, exit code 2 and no panic; and neither `check` nor `info` changes the file.

mod common {
    pub mod refusal;
}

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::refusal::{break_with, refused};
use deepscope::model::{LayerKind, Thumbnail};
use deepscope::store::{Store, Writer};
use ndarray::Array2;
use rusqlite::Connection;

/// A valid run: 6 images of 3 classes, layers feat (4-d) and logits, steps 0 and 10.
fn write_valid(path: &Path) {
    let mut w = Writer::create(path).unwrap();
    w.set_meta("name", "tiny").unwrap();
    w.add_classes(&["cat", "dog", "horse"]).unwrap();
    w.add_images(&[0, 1, 2, 0, 1, 2], None, Some("test"))
        .unwrap();
    let thumb = Thumbnail {
        width: 2,
        height: 2,
        channels: 1,
        pixels: vec![0, 64, 128, 255],
    };
    w.add_thumbnails(&vec![thumb; 6]).unwrap();
    w.add_layer("feat", 4, LayerKind::Features).unwrap();
    w.add_layer("logits", 3, LayerKind::Logits).unwrap();
    for step in [0, 10] {
        let feat = Array2::from_shape_fn((6, 4), |(i, j)| (i * 4 + j) as f32 + step as f32);
        let logits = Array2::from_shape_fn((6, 3), |(i, j)| if i % 3 == j { 2.0 } else { 0.0 });
        w.add_step(
            step,
            Some(step as f64 / 10.0),
            None,
            &[("feat", feat.view()), ("logits", logits.view())],
        )
        .unwrap();
    }
    w.finish().unwrap();
}

/// Writes a valid run, then breaks it with raw SQL.
fn broken(dir: &tempfile::TempDir, sql: &str) -> PathBuf {
    let path = dir.path().join("run.sqlite");
    write_valid(&path);
    break_with(&path, sql);
    path
}

/// Runs `deepscope ARGS FILE`, expecting it to refuse the file (see `refused`); returns
/// what it printed on stderr.
fn expect_rejected(args: &[&str], path: &Path, needle: &str) -> String {
    refused(args, path, needle).1
}

/// Both `check` and `info` reject the file for the same reason.
fn expect_both_reject(path: &Path, needle: &str) {
    expect_rejected(&["check"], path, needle);
    let info = expect_rejected(&["info"], path, needle);
    assert_eq!(info.lines().count(), 1, "info must print one line: {info}");
}

#[test]
fn a_valid_file_passes_check_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    write_valid(&path);
    let store = Store::open(&path).unwrap();
    let c = store.catalog();
    assert_eq!((c.num_images(), c.num_classes(), c.steps.len()), (6, 3, 2));
    assert_eq!(c.steps[1].layers, vec!["feat", "logits"]);
    assert_eq!(store.load(10, "feat").unwrap()[[5, 3]], 33.0);
    assert_eq!(
        store.thumbnail(4).unwrap().unwrap().pixels,
        vec![0, 64, 128, 255]
    );
    Command::cargo_bin("deepscope")
        .unwrap()
        .arg("check")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "ok: 6 images, 3 classes, 2 layers, 2 steps, 4 activation BLOBs",
        ));
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    expect_both_reject(&dir.path().join("nope.sqlite"), "no such file");
}

#[test]
fn not_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    std::fs::write(
        &path,
        "these are not the droids you are looking for\n".repeat(10),
    )
    .unwrap();
    expect_both_reject(&path, "not an SQLite database");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.sqlite");
    std::fs::write(&path, "").unwrap();
    expect_both_reject(&path, "empty file");
}

#[test]
fn sqlite_but_not_deepscope() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    expect_both_reject(&path, "not a deepscope stats database");
}

#[test]
fn newer_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(&dir, "PRAGMA user_version = 2;");
    expect_both_reject(&path, "schema version 2 is newer");
}

#[test]
fn newer_schema_names_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(
        &dir,
        "PRAGMA user_version = 2; \
         INSERT OR REPLACE INTO meta (key, value) VALUES ('writer_version', '9.1.0');",
    );
    let needle = format!(
        "written by deepscope 9.1.0, this is deepscope {}",
        env!("CARGO_PKG_VERSION")
    );
    expect_both_reject(&path, &needle);
    // The viewer refuses it with the same line, before touching the terminal.
    expect_rejected(&[], &path, &needle);
}

#[test]
fn missing_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(&dir, "DROP TABLE thumbnails;");
    expect_both_reject(&path, "table 'thumbnails' is missing");
}

#[test]
fn class_ids_not_dense() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(&dir, "UPDATE classes SET id = 7 WHERE id = 2;");
    expect_both_reject(&path, "class ids are not dense");
}

#[test]
fn image_ids_not_dense() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(
        &dir,
        "DELETE FROM thumbnails WHERE image = 3; DELETE FROM images WHERE id = 3;",
    );
    expect_both_reject(&path, "image ids are not dense");
}

#[test]
fn label_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(&dir, "UPDATE images SET label = 9 WHERE id = 4;");
    expect_both_reject(&path, "image 4 has label 9, outside the 3 classes");
}

#[test]
fn blob_of_wrong_length() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(
        &dir,
        "UPDATE activations SET data = substr(data, 1, 20) WHERE step = 10 AND layer = 'feat';",
    );
    expect_both_reject(
        &path,
        "step 10, layer 'feat': BLOB is 20 bytes, expected 96",
    );
}

#[test]
fn non_finite_values_are_counted_by_check_and_refused_by_info() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(&dir, "");
    // A NaN in image 1 and an infinity in image 2 of the logits at step 0.
    let conn = Connection::open(&path).unwrap();
    let select = "SELECT data FROM activations WHERE step = 0 AND layer = 'logits'";
    let mut data: Vec<u8> = conn.query_row(select, [], |r| r.get(0)).unwrap();
    data[12..16].copy_from_slice(&f32::NAN.to_le_bytes());
    data[28..32].copy_from_slice(&f32::NEG_INFINITY.to_le_bytes());
    conn.execute(
        "UPDATE activations SET data = ?1 WHERE step = 0 AND layer = 'logits'",
        [data],
    )
    .unwrap();
    drop(conn);
    let needle = "step 0, layer 'logits': 2 NaN or infinite values (first in image 1)";
    expect_rejected(&["check"], &path, needle);
    expect_rejected(&["info"], &path, needle);
}

#[test]
fn thumbnail_of_wrong_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(
        &dir,
        "UPDATE thumbnails SET pixels = X'00010203AA' WHERE image = 2;",
    );
    expect_both_reject(
        &path,
        "thumbnail of image 2 has 5 bytes, expected 4 (2x2x1)",
    );
}

#[test]
fn check_lists_every_problem_not_just_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(
        &dir,
        "UPDATE images SET label = 5 WHERE id = 0; \
         UPDATE thumbnails SET pixels = X'00' WHERE image = 1; \
         UPDATE activations SET data = X'0000' WHERE step = 0 AND layer = 'feat';",
    );
    let stderr = expect_rejected(&["check"], &path, "3 problems found");
    assert!(stderr.contains("image 0 has label 5"));
    assert!(stderr.contains("thumbnail of image 1"));
    assert!(stderr.contains("step 0, layer 'feat': BLOB is 2 bytes"));
    // `info` names the first and points at `check` for the rest, on one line.
    let info = expect_rejected(
        &["info"],
        &path,
        "and 2 more problems: run `deepscope check`",
    );
    assert_eq!(info.lines().count(), 1);
}

#[test]
fn unknown_step_and_layer_errors_list_what_exists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    write_valid(&path);
    let store = Store::open(&path).unwrap();
    let e = store.load(5, "feat").unwrap_err().to_string();
    assert!(e.ends_with("no step 5; steps are 0, 10"), "{e}");
    let e = store.load(0, "fc7").unwrap_err().to_string();
    assert!(
        e.ends_with("no layer 'fc7'; layers are feat, logits"),
        "{e}"
    );
}

#[test]
fn writer_refuses_bad_arrays_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    write_valid(&path);
    let before = std::fs::read(&path).unwrap();
    let mut w = Writer::append(&path).unwrap();
    let wrong_rows = Array2::<f32>::zeros((5, 4));
    let e = w
        .add_step(20, None, None, &[("feat", wrong_rows.view())])
        .unwrap_err();
    assert!(e.to_string().contains("array is 5x4, expected 6x4"), "{e}");
    let mut inf = Array2::<f32>::zeros((6, 3));
    inf[[2, 1]] = f32::INFINITY;
    let e = w
        .add_step(20, None, None, &[("logits", inf.view())])
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("1 NaN or infinite values (first in image 2)"),
        "{e}"
    );
    w.finish().unwrap();
    assert_eq!(Store::open(&path).unwrap().catalog().steps.len(), 2);
    assert_eq!(std::fs::read(&path).unwrap().len(), before.len());
}

#[test]
fn a_reader_sees_steps_appended_while_it_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    write_valid(&path);
    let mut store = Store::open(&path).unwrap();
    let mut w = Writer::append(&path).unwrap();
    let logits = Array2::<f32>::ones((6, 3));
    w.add_step(20, None, None, &[("logits", logits.view())])
        .unwrap();
    assert!(store.refresh_steps().unwrap());
    let last = store.catalog().steps.last().unwrap();
    assert_eq!(
        (last.step, last.layers.clone()),
        (20, vec!["logits".to_string()])
    );
    assert!(!store.refresh_steps().unwrap());
}

#[test]
fn text_that_is_not_utf8_is_read_lossily_and_named_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken(
        &dir,
        "UPDATE images SET name = CAST(X'41FF42' AS TEXT), split = CAST(X'C0' AS TEXT) \
         WHERE id = 4; INSERT INTO meta VALUES ('note', CAST(X'FFFE' AS TEXT));",
    );
    let before = std::fs::read(&path).unwrap();
    Command::cargo_bin("deepscope")
        .unwrap()
        .arg("info")
        .arg(&path)
        .assert()
        .success();
    let store = Store::open(&path).unwrap();
    let c = store.catalog();
    assert_eq!(c.image_names[4].as_deref(), Some("A\u{FFFD}B"));
    assert_eq!(c.splits[4].as_deref(), Some("\u{FFFD}"));
    assert_eq!(c.meta["note"], "\u{FFFD}\u{FFFD}");
    let stderr = expect_rejected(&["check"], &path, "3 problems found");
    assert!(
        stderr.contains("table images, row 4: name is not valid UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("table images, row 4: split is not valid UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("table meta, row 2: value is not valid UTF-8"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
