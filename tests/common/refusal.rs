//! Files broken on purpose, and the check that a command refuses one cleanly: exit 2, the
//! file and the problem named on stderr, no panic, the file's bytes unchanged.

use std::path::Path;

use assert_cmd::Command;
use rusqlite::Connection;

/// Applies raw `sql` to the database at `path`, foreign keys off (the bundled SQLite
/// enforces them by default; a broken file is the point).
pub fn break_with(path: &Path, sql: &str) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    conn.execute_batch(sql).unwrap();
}

/// Runs `deepscope ARGS FILE`, expecting it to refuse the file: exit 2, stderr naming the
/// file and containing `needle`, no panic, the file's bytes unchanged. Returns (stdout,
/// stderr) for what a caller checks further.
pub fn refused(args: &[&str], path: &Path, needle: &str) -> (String, String) {
    let before = std::fs::read(path).ok();
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}{stdout}");
    assert!(
        stderr.contains(&path.display().to_string()),
        "{args:?}: file not named: {stderr}"
    );
    assert!(
        stderr.contains(needle),
        "{args:?}: expected '{needle}' in {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        std::fs::read(path).ok(),
        before,
        "{args:?} changed the file"
    );
    (stdout, stderr)
}
