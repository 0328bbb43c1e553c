//! A database full of hostile names (escape sequences, OSC with BEL, C1 CSI, bidi overrides
//! and isolates in class, run, layer and image names): the raw bytes every command writes
//! to stdout and stderr carry none of those controls. Bytes, not a rendered screen: a
//! terminal library may drop controls itself and hide a missing escape.

mod common {
    pub mod runs;
}

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::runs::sample;
use ndarray::{Array1, Array2};
use ndarray_npy::write_npy;

/// What an attacker puts in names: clear the screen, set the title (OSC ... BEL), a one-byte
/// CSI (U+009B), a right-to-left override, an isolate.
const CLEAR: &str = "\u{1b}[2J";
const TITLE: &str = "\u{1b}]0;PWNED\u{7}";
const CSI1: &str = "\u{9b}31m";
const RLO: &str = "\u{202e}";
const ISOLATE: &str = "\u{2066}";

/// The layer renamed from fc64: its name carries a title-setting OSC.
fn features_layer() -> String {
    format!("fc{TITLE}")
}

/// A copy of the sample whose every name is hostile.
fn hostile_db(dir: &Path) -> PathBuf {
    let path = dir.join("hostile.sqlite");
    std::fs::copy(sample(), &path).unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let set = |sql: &str, name: &str| {
        db.execute(sql, [name]).unwrap();
    };
    set(
        "UPDATE meta SET value = ?1 WHERE key = 'name'",
        &format!("run{TITLE}"),
    );
    set("UPDATE meta SET value = ?1 WHERE key = 'dataset'", CSI1);
    for (id, payload) in [(1, ISOLATE), (3, CSI1), (5, RLO), (7, CLEAR), (8, TITLE)] {
        db.execute(
            "UPDATE classes SET name = ?1 WHERE id = ?2",
            rusqlite::params![format!("{id}{payload}"), id],
        )
        .unwrap();
    }
    let layer = features_layer();
    set("UPDATE layers SET name = ?1 WHERE name = 'fc64'", &layer);
    set(
        "UPDATE activations SET layer = ?1 WHERE layer = 'fc64'",
        &layer,
    );
    set(
        "UPDATE images SET name = ?1 || id || ?1, split = ?1",
        &format!("img{TITLE}{CSI1}{RLO}{CLEAR}"),
    );
    path
}

/// Fails naming the first control byte sequence found in `bytes`, if any.
fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for (i, c) in text.char_indices() {
        let bad = matches!(c, '\u{1b}' | '\u{7}' | '\u{80}'..='\u{9f}')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !bad,
            "{what}: raw {c:?} at byte {i}: {:?}",
            &text[i.saturating_sub(40)..(i + 40).min(text.len())]
        );
    }
    assert!(!text.contains("]0;PWNED\u{7}"), "{what}: OSC payload");
}

/// Runs deepscope with `args`, checks both streams, and returns (exit code, stdout).
fn run(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(args)
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("deepscope-hostile-cache"),
        )
        .output()
        .unwrap();
    let what = format!("{args:?}");
    assert_clean(&format!("stdout of {what}"), &out.stdout);
    assert_clean(&format!("stderr of {what}"), &out.stderr);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn every_command_escapes_hostile_names_on_stdout_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let layer = features_layer();
    let db = db.as_os_str();
    let s = |x: &'static str| std::ffi::OsStr::new(x);
    let l = std::ffi::OsStr::new(layer.as_str());
    let commands: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![s("info"), db],
        vec![s("info"), db, s("--json")],
        vec![s("check"), db],
        vec![s("project"), db],
        vec![s("project"), db, s("--json")],
        vec![s("clusters"), db, s("--k"), s("10")],
        vec![s("clusters"), db, s("--k"), s("10"), s("--json")],
        vec![s("neighbors"), db, s("--image"), s("7")],
        vec![s("neighbors"), db, s("--image"), s("7"), s("--json")],
        vec![s("similarity"), db],
        vec![s("similarity"), db, s("--json")],
        vec![s("misclassified"), db],
        vec![s("misclassified"), db, s("--json")],
        vec![s("history"), db, s("--image"), s("7")],
        vec![s("history"), db, s("--image"), s("7"), s("--json")],
        vec![
            s("show"),
            db,
            s("--image"),
            s("7"),
            s("--images"),
            s("none"),
        ],
        vec![s("project"), db, s("--layer"), l, s("--step"), s("6000")],
    ];
    for args in &commands {
        let (code, stdout) = run(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(!stdout.is_empty(), "{args:?} printed nothing");
    }
    // The names arrive, escaped: visible to the reader, harmless to the terminal.
    let (_, info) = run(&[s("info"), db]);
    assert!(info.contains("run\\u{1b}]0;PWNED\\u{7}"), "{info}");
    assert!(info.contains("5\\u{202e}"), "{info}");
    let (_, json) = run(&[s("info"), db, s("--json")]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["classes"][3], "3\u{9b}31m", "JSON keeps the name");
    assert!(json.contains("\\u009b"), "{json}");
}

#[test]
fn errors_that_quote_hostile_names_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let db = db.as_os_str();
    let s = |x: &'static str| std::ffi::OsStr::new(x);
    let hostile_arg = format!("x{TITLE}");
    let h = std::ffi::OsStr::new(hostile_arg.as_str());
    for args in [
        // The error lists the file's class names.
        vec![
            s("neighbors"),
            db,
            s("--image"),
            s("7"),
            s("--class"),
            s("nope"),
        ],
        // ... quotes the layer asked for and the file's layer names.
        vec![s("project"), db, s("--layer"), h],
        vec![s("misclassified"), db, s("--layer"), h],
        vec![s("similarity"), db, s("--layer"), s("nope")],
    ] {
        let (code, _) = run(&args);
        assert_eq!(code, 2, "{args:?}");
    }
    // A file whose name itself is hostile.
    let named = dir.path().join(format!("run{TITLE}.sqlite"));
    std::fs::write(&named, b"not a database").unwrap();
    let (code, _) = run(&[s("info"), named.as_os_str()]);
    assert_eq!(code, 2);
}

#[test]
fn check_lists_problems_with_names_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    // A layer nobody wrote, a step row pointing at it: problems that quote the names.
    conn.execute(
        "INSERT INTO layers (name, dim, kind) VALUES (?1, 3, 'features')",
        [format!("orphan{CLEAR}{RLO}")],
    )
    .unwrap();
    conn.execute(
        "UPDATE activations SET data = x'00' WHERE step = 0 AND layer = ?1",
        [features_layer()],
    )
    .unwrap();
    drop(conn);
    let (code, _) = run(&[std::ffi::OsStr::new("check"), db.as_os_str()]);
    assert_eq!(code, 2);
}

#[test]
fn import_escapes_file_names_and_layer_names() {
    let dir = tempfile::tempdir().unwrap();
    let steps = dir.path().join("dumps");
    let step = steps.join("step_000000");
    std::fs::create_dir_all(&step).unwrap();
    let n = 6;
    let features = Array2::from_shape_fn((n, 4), |(i, j)| (i * 4 + j) as f32);
    let logits = Array2::from_shape_fn((n, 2), |(i, j)| if i % 2 == j { 1.0f32 } else { 0.0 });
    write_npy(step.join(format!("fc{TITLE}{RLO}.npy")), &features).unwrap();
    write_npy(step.join("logits.npy"), &logits).unwrap();
    write_npy(
        steps.join("labels.npy"),
        &Array1::from_shape_fn(n, |i| (i % 2) as i64),
    )
    .unwrap();
    std::fs::write(steps.join("classes.txt"), format!("a{CLEAR}\nb{CSI1}\n")).unwrap();
    let out = dir.path().join(format!("out{TITLE}.sqlite"));
    let s = std::ffi::OsStr::new;
    let (code, stdout) = run(&[
        s("import"),
        out.as_os_str(),
        s("--steps"),
        steps.as_os_str(),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("\\u{1b}"), "{stdout}");
    // A bad file whose name is hostile: the error quotes it escaped.
    let bad = steps.join(format!("step_000010/bad{TITLE}.npy"));
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, b"\x93NUMPY broken").unwrap();
    let (code, _) = run(&[
        s("import"),
        out.as_os_str(),
        s("--steps"),
        steps.as_os_str(),
    ]);
    assert_eq!(code, 2);
    let (code, _) = run(&[s("info"), out.as_os_str()]);
    assert_eq!(code, 0);
}

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    let sample = sample();
    let db = sample.as_os_str();
    let s = std::ffi::OsStr::new;
    for args in [
        vec![s("project"), db, s("--json")],
        vec![s("project"), db],
        vec![s("info"), db, s("--json")],
        vec![s("similarity"), db, s("--json")],
        vec![s("misclassified"), db],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_deepscope"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader leaves before the first byte: every write meets a closed pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}
