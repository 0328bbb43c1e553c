//! Issue 14, part 5: reading never writes. No `-shm`/`-wal` is left beside a WAL-mode file
//! that was only read, a finished run opens from a directory we cannot write, a live run is
//! still followed, and a run copied without its `-wal` says where its data went.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use deepscope::model::LayerKind;
use deepscope::store::{Store, Writer};
use ndarray::Array2;
use rusqlite::Connection;

/// 6 images of 3 classes, layers feat (4-d) and logits, steps 0 and 10, left open.
fn write_run(path: &Path) -> Writer {
    let mut w = Writer::create(path).unwrap();
    w.set_meta("name", "tiny").unwrap();
    w.add_classes(&["cat", "dog", "horse"]).unwrap();
    w.add_images(&[0, 1, 2, 0, 1, 2], None, Some("test"))
        .unwrap();
    w.add_layer("feat", 4, LayerKind::Features).unwrap();
    w.add_layer("logits", 3, LayerKind::Logits).unwrap();
    for step in [0, 10] {
        add_step(&mut w, step);
    }
    w
}

fn add_step(w: &mut Writer, step: i64) {
    let feat = Array2::from_shape_fn((6, 4), |(i, j)| ((i * 7 + j * 3) % 5) as f32 + step as f32);
    let logits = Array2::from_shape_fn((6, 3), |(i, j)| if i % 3 == j { 2.0 } else { 0.0 });
    w.add_step(
        step,
        None,
        None,
        &[("feat", feat.view()), ("logits", logits.view())],
    )
    .unwrap();
}

/// A finished run left in WAL mode, as the Python logger leaves it: no -wal, no -shm.
fn finished_wal_run(dir: &Path) -> PathBuf {
    let path = dir.join("run.sqlite");
    write_run(&path).finish().unwrap();
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(conn);
    assert_eq!(
        std::fs::read(&path).unwrap()[18..20],
        [2, 2],
        "not in WAL mode"
    );
    assert_eq!(sidecars(&path), Vec::<String>::new());
    path
}

/// The -wal, -shm and -journal files beside `path`.
fn sidecars(path: &Path) -> Vec<String> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| format!("{}{s}", path.display()))
        .filter(|p| Path::new(p).exists())
        .collect()
}

/// Every headless command that reads a run.
const READERS: [&[&str]; 9] = [
    &["info"],
    &["check"],
    &["project", "--json"],
    &["similarity"],
    &["misclassified"],
    &["neighbors", "--image", "1", "--k", "3"],
    &["clusters", "--k", "2"],
    &["history", "--image", "1"],
    &["show", "--image", "1"],
];

#[test]
fn no_command_leaves_shm_or_wal_beside_a_wal_mode_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = finished_wal_run(dir.path());
    let before = std::fs::read(&path).unwrap();
    for args in READERS {
        let out = Command::cargo_bin("deepscope")
            .unwrap()
            .args(args)
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert_eq!(sidecars(&path), Vec::<String>::new(), "after {args:?}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "{args:?} changed the file"
        );
    }
    // The library reader too, through open, load and refresh.
    let mut store = Store::open(&path).unwrap();
    store.load(10, "feat").unwrap();
    assert!(!store.refresh_steps().unwrap());
    drop(store);
    assert_eq!(sidecars(&path), Vec::<String>::new());
}

/// Runs `deepscope ARGS FILE` in a directory nobody but root may write: as an unprivileged
/// user (via setpriv) when the tests run as root, who may write anywhere.
fn run_without_write_permission(dir: &Path, args: &[&str], path: &Path) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let bin = assert_cmd::cargo::cargo_bin("deepscope");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    let out = cmd.args(args).arg(path).output().unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    out
}

#[test]
fn a_finished_wal_run_opens_from_a_read_only_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = finished_wal_run(dir.path());
    for args in [&["info"][..], &["check"], &["similarity"]] {
        let out = run_without_write_permission(dir.path(), args, &path);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
    }
    assert_eq!(sidecars(&path), Vec::<String>::new());
}

#[test]
fn a_reader_follows_a_writer_that_starts_after_it_opened_a_quiet_wal_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = finished_wal_run(dir.path());
    let mut store = Store::open(&path).unwrap();
    let mut w = Writer::append(&path).unwrap();
    add_step(&mut w, 20);
    assert!(store.refresh_steps().unwrap(), "the new step was not seen");
    assert_eq!(store.catalog().steps.last().unwrap().step, 20);
    assert_eq!(store.load(20, "feat").unwrap()[[0, 0]], 20.0);
    add_step(&mut w, 30);
    assert!(store.refresh_steps().unwrap());
    assert_eq!(store.catalog().steps.len(), 4);
}

#[test]
fn a_live_run_is_read_while_its_writer_keeps_it_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    let mut w = write_run(&path);
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .arg("info")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.catalog().steps.len(), 2);
    add_step(&mut w, 20);
    assert!(store.refresh_steps().unwrap());
    // Folding the log back needs the readers gone.
    drop(store);
    w.finish().unwrap();
}

#[test]
fn a_run_copied_without_its_wal_says_where_its_data_is() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.sqlite");
    // As a logger that switches to WAL before creating its tables: everything is in -wal.
    let conn = Connection::open(&live).unwrap();
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch(deepscope::store::SCHEMA_SQL).unwrap();
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(&live, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .arg("info")
        .arg(&copy)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("its data is probably in its -wal file")
            && stderr.contains("copy.sqlite-wal), which was not copied with it"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    assert_eq!(sidecars(&copy), Vec::<String>::new());
    drop(conn);
}

#[test]
fn a_file_whose_read_version_alone_says_wal_gets_no_sidecar_either() {
    let dir = tempfile::tempdir().unwrap();
    let path = finished_wal_run(dir.path());
    // SQLite goes by the read version (byte 19); a write version of 10 makes it read-only.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[18] = 10;
    std::fs::write(&path, &bytes).unwrap();
    let _ = Command::cargo_bin("deepscope")
        .unwrap()
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(sidecars(&path), Vec::<String>::new());
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}
