//! Issue 14, part 2: values too large for float32 arithmetic and sizes that overflow are
//! refused by `check` and by every command that reads them, with one line naming the file
//! and the problem, exit 2, and the file unchanged. Each case is the reproduction,
//! made on a copy of the bundled sample.

mod common {
    pub mod refusal;
    pub mod runs;
}

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::refusal::{break_with, refused};
use rusqlite::Connection;

/// A copy of the sample with `sql` applied.
fn sample_with(dir: &tempfile::TempDir, sql: &str) -> PathBuf {
    let path = dir.path().join("run.sqlite");
    std::fs::copy(common::runs::sample(), &path).unwrap();
    break_with(&path, sql);
    path
}

/// A copy of the sample with one float of one (step, layer) BLOB replaced.
fn sample_with_value(
    dir: &tempfile::TempDir,
    step: i64,
    layer: &str,
    at: usize,
    v: f32,
) -> PathBuf {
    let path = sample_with(dir, "");
    let conn = Connection::open(&path).unwrap();
    let select = "SELECT data FROM activations WHERE step = ?1 AND layer = ?2";
    let mut data: Vec<u8> = conn.query_row(select, (step, layer), |r| r.get(0)).unwrap();
    data[at * 4..at * 4 + 4].copy_from_slice(&v.to_le_bytes());
    conn.execute(
        "UPDATE activations SET data = ?1 WHERE step = ?2 AND layer = ?3",
        (data, step, layer),
    )
    .unwrap();
    path
}

/// `deepscope ARGS FILE` refuses the file with one line, `FILE: ` and the problem, and
/// prints nothing on stdout.
fn expect_refused(args: &[&str], path: &Path, needle: &str) {
    let (stdout, stderr) = refused(args, path, needle);
    assert_eq!(
        stderr.lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    assert!(
        stderr.contains(&format!("{}: ", path.display())),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "{args:?} printed {stdout}");
}

/// `check` lists the problem and its summary line: two lines, exit 2.
fn expect_check_finds(path: &Path, needle: &str) {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .arg("check")
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(needle), "expected '{needle}' in {stderr}");
    assert!(stderr.ends_with("1 problem found\n"), "{stderr}");
}

#[test]
fn a_feature_of_1e38_is_refused_by_check_and_every_analysis() {
    let dir = tempfile::tempdir().unwrap();
    // Image 1, column 36 of fc64 at step 6000.
    let path = sample_with_value(&dir, 6000, "fc64", 100, 1e38);
    let needle = "step 6000, layer 'fc64': 1 value beyond ±1e9, too large for float32 \
                  analysis (first in image 1)";
    expect_check_finds(&path, needle);
    let step = ["--step", "6000", "--layer", "fc64"];
    for args in [
        &["project", "--json"][..],
        &["project", "--method", "tsne"],
        &["clusters"],
        &["neighbors", "--json", "--image", "1"],
    ] {
        expect_refused(&[args, &step[..]].concat(), &path, needle);
    }
}

#[test]
fn a_logit_of_3e38_is_refused_by_similarity_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample_with_value(&dir, 6000, "logits", 33, 3e38);
    let needle = "step 6000, layer 'logits': 1 value beyond ±1e9";
    expect_check_finds(&path, needle);
    expect_refused(&["similarity", "--step", "6000"], &path, needle);
    expect_refused(&["history", "--json", "--image", "3"], &path, needle);
}

#[test]
fn a_layer_dim_whose_blob_size_overflows_is_refused_not_decoded() {
    let dir = tempfile::tempdir().unwrap();
    // 2000 images x 2^62 x 4 bytes wraps to 0 in unchecked arithmetic: the empty BLOB "fits".
    let path = sample_with(
        &dir,
        "UPDATE layers SET dim = 4611686018427387904 WHERE name = 'fc64';
         UPDATE activations SET data = X'' WHERE layer = 'fc64';",
    );
    let needle = "layer 'fc64' has dim 4611686018427387904: 2000 images x 4611686018427387904 \
                  dims x 4 bytes is more than an SQLite BLOB can hold";
    let stderr = Command::cargo_bin("deepscope")
        .unwrap()
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(stderr.contains(needle), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let step = ["--layer", "fc64"];
    for args in [
        &["project", "--json"][..],
        &["clusters"],
        &["neighbors", "--image", "1"],
    ] {
        expect_refused(&[args, &step[..]].concat(), &path, needle);
    }
}

#[test]
fn a_thumbnail_whose_size_overflows_is_refused_by_check_and_the_viewer() {
    let dir = tempfile::tempdir().unwrap();
    // 2^62 x 28 x 1 wraps to 0 bytes... or to anything: it must never be trusted.
    let path = sample_with(
        &dir,
        "UPDATE thumbnails SET width = 4611686018427387904 WHERE image = 3;",
    );
    let needle = "thumbnail of image 3 has an invalid shape 4611686018427387904x28x1";
    expect_check_finds(&path, needle);
    expect_refused(&["info"], &path, needle);
    // The viewer opens (and validates) the file before it touches the terminal.
    expect_refused(&[], &path, needle);
}
