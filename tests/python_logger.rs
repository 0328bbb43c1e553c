//! The Python logger (python/deepscope_log.py) writes what the Rust store reads, validates
//! before writing, and appends to an existing run. Needs python3 with numpy: CI installs it.

use std::path::Path;
use std::process::Command;

use deepscope::store::Store;

fn python(script: &str, dir: &Path) -> std::process::Output {
    let logger_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/python");
    let prelude = format!(
        "import sys; sys.path.insert(0, {logger_dir:?})\nimport numpy as np\nimport deepscope_log\n"
    );
    Command::new("python3")
        .arg("-c")
        .arg(prelude + script)
        .current_dir(dir)
        .output()
        .expect("python3 runs")
}

fn available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("CI must provide python3 with numpy (see .ci/run)");
    }
    ok
}

const TRAINING_LOOP: &str = r#"
rng = np.random.default_rng(0)
labels = rng.integers(0, 3, 50)
thumbs = rng.integers(0, 256, (50, 8, 8), dtype=np.uint8)
with deepscope_log.Run("run.sqlite", classes=["cat", "dog", "horse"], labels=labels,
                       thumbnails=thumbs, meta={"name": "pytorch-style"}) as log:
    for step in (0, 10, 20):
        feats = rng.normal(size=(50, 16)).astype(np.float64)   # any float dtype
        logits = np.eye(3)[labels] * step / 10 + rng.normal(size=(50, 3)) * 0.1
        log.step(step, epoch=step / 10, fc16=feats, logits=logits)
    np.save("last_fc16.npy", feats.astype(np.float32))
"#;

#[test]
fn a_training_loop_writes_a_run_the_store_reads() {
    if !available() {
        eprintln!("skipped: python3 with numpy is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = python(TRAINING_LOOP, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join("run.sqlite");
    let report = deepscope::store::check(&path).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let store = Store::open(&path).unwrap();
    let c = store.catalog();
    assert_eq!(c.run_name(), Some("pytorch-style"));
    assert_eq!(
        (c.num_images(), c.classes.clone()),
        (50, vec!["cat".into(), "dog".into(), "horse".into()])
    );
    assert_eq!(
        c.steps.iter().map(|s| s.step).collect::<Vec<_>>(),
        vec![0, 10, 20]
    );
    assert_eq!(
        c.layer("logits").unwrap().kind,
        deepscope::model::LayerKind::Logits
    );
    assert_eq!(
        c.layer("fc16").unwrap().kind,
        deepscope::model::LayerKind::Features
    );
    assert_eq!(store.thumbnail(7).unwrap().unwrap().width, 8);
    // The values round-trip exactly (as float32).
    let expected: ndarray::Array2<f32> =
        ndarray_npy::read_npy(dir.path().join("last_fc16.npy")).unwrap();
    assert_eq!(store.load(20, "fc16").unwrap(), expected);
}

#[test]
fn bad_input_raises_and_leaves_the_file_as_it_was() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    assert!(python(TRAINING_LOOP, dir.path()).status.success());
    let path = dir.path().join("run.sqlite");
    let before = std::fs::read(&path).unwrap();
    let cases = [
        (
            "log.step(30, logits=np.zeros((49, 3)))",
            "49 rows, expected one per image (50)",
        ),
        (
            "log.step(30, fc16=np.zeros((50, 8)))",
            "8 values per image, but earlier steps logged 16",
        ),
        (
            "x = np.zeros((50, 3)); x[4, 1] = np.nan; x[9, 0] = np.inf; log.step(30, logits=x)",
            "2 NaN or infinite values (first in image 4)",
        ),
        (
            "log.step(30, probs=np.zeros((50, 4)))",
            "expected one per class (3)",
        ),
        (
            "log.step(30, fc16=np.zeros((50, 16)), logits=np.full((50, 3), np.nan))",
            "NaN",
        ),
    ];
    for (bad, message) in cases {
        let script = format!(
            "labels = np.random.default_rng(0).integers(0, 3, 50)\n\
             log = deepscope_log.Run('run.sqlite', classes=['cat', 'dog', 'horse'], labels=labels)\n\
             try:\n    {bad}\n    print('accepted')\nexcept ValueError as e:\n    print('refused:', e)\nlog.close()\n"
        );
        let out = python(&script, dir.path());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("refused:") && stdout.contains(message),
            "{bad}: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Other classes than the run's: refused before anything is written.
    let out = python(
        "deepscope_log.Run('run.sqlite', classes=['a', 'b'], labels=[0, 1])",
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists with other classes or labels"));
    let store = Store::open(&path).unwrap();
    assert_eq!(store.catalog().steps.len(), 3, "no step was added");
    drop(store);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is unchanged"
    );
}

#[test]
fn the_logger_writes_the_schema_the_store_documents() {
    let logger = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/python/deepscope_log.py"
    ))
    .unwrap();
    let schema = deepscope::store::SCHEMA_SQL;
    // Every CREATE TABLE of schema.sql appears, identically, in the logger.
    for statement in schema
        .split(';')
        .map(str::trim)
        .filter(|s| s.starts_with("CREATE TABLE"))
    {
        assert!(
            logger.contains(statement),
            "the logger's schema differs at:\n{statement}"
        );
    }
}
