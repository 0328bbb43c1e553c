//! The Python logger (the `deepscope` package in python/) writes what the Rust store reads,
//! validates before writing, never mixes two runs or two versions of a step, and never changes
//! a file it refuses (issue 14). Needs python3 with numpy: CI installs it.

mod pyhelp;

use std::path::Path;

use deepscope::store::Store;
use pyhelp::{available, python, python_ok};

const TRAINING_LOOP: &str = r#"
import deepscope_log  # the single-file name still works (a shim over the package)
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
             log = Run('run.sqlite', classes=['cat', 'dog', 'horse'], labels=labels, mode='append')\n\
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
        "Run('run.sqlite', classes=['a', 'b'], labels=[0, 1], mode='append')",
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
        "/python/deepscope/_file.py"
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

/// The catalog's steps and each step's layers, as the store reads them.
fn steps_and_layers(path: &Path) -> Vec<(i64, Vec<String>)> {
    let store = Store::open(path).unwrap();
    let c = store.catalog();
    c.steps
        .iter()
        .map(|s| {
            let mut layers = c
                .layers
                .iter()
                .filter(|l| store.load(s.step, &l.name).is_ok())
                .map(|l| l.name.clone())
                .collect::<Vec<_>>();
            layers.sort();
            (s.step, layers)
        })
        .collect()
}

#[test]
fn two_processes_creating_one_run_leave_one_whole_run_and_one_clear_error() {
    if !available() {
        return;
    }
    // Issue 14: of 40 such races today's logger lost a returned writer's file in 4, and gave
    // spurious "database is locked" or "not a deepscope stats database" errors in the rest.
    let script = r#"
import multiprocessing as mp, os, sqlite3
def writer(path, barrier, q, who):
    barrier.wait()
    try:
        with Run(path, classes=["a", "b"], labels=np.arange(20) % 2) as log:
            for s in range(5):
                log.step(s, logits=np.full((20, 2), float(who)))
        q.put((who, "ok"))
    except Exception as e:
        q.put((who, f"{type(e).__name__}: {e}"))
for trial in range(20):
    path = f"run{trial}.sqlite"
    barrier, q = mp.Barrier(2), mp.Queue()
    procs = [mp.Process(target=writer, args=(path, barrier, q, w)) for w in (1, 2)]
    [p.start() for p in procs]; [p.join() for p in procs]
    results = dict(q.get() for _ in procs)
    winners = [w for w, r in results.items() if r == "ok"]
    assert len(winners) == 1, results
    loser = results[3 - winners[0]]
    # Which refusal the loser gets depends on timing, both are clear: "created by another
    # process meanwhile" when it lost the race to the name, "already exists" when it was
    # scheduled late and found the winner's finished file (seen under load).
    assert loser.startswith("FileExistsError") and (
        "created by another process" in loser or "already exists" in loser), loser
    db = sqlite3.connect(path)
    values = {np.frombuffer(b, "<f4")[0] for (b,) in db.execute("SELECT data FROM activations")}
    assert db.execute("SELECT count(*) FROM steps").fetchone()[0] == 5 and values == {winners[0]}
    db.close()
leftovers = sorted(f for f in os.listdir(".") if not f.startswith("run") or not f.endswith(".sqlite"))
assert not leftovers, leftovers
print("ok")
"#;
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(python_ok(script, dir.path()).trim(), "ok");
}

#[test]
fn a_step_is_an_increasing_integer_and_a_refused_step_writes_nothing() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    let setup = "log = Run('run.sqlite', classes=['a', 'b'], labels=[0, 1, 1], mode='append')\n\
                 x = np.zeros((3, 2))\n";
    python_ok(
        &format!("{setup}log.step(10, a=x, b=x); log.step(30, a=x, b=x)"),
        dir.path(),
    );
    let before = std::fs::read(&path).unwrap();
    let cases = [
        ("log.step(30, a=x)", "step 30 is already in"),
        (
            "log.step(20, a=x)",
            "steps must increase: step 20 comes after step 30",
        ),
        (
            "log.step(31.7, a=x)",
            "step must be an integer >= 0, got 31.7",
        ),
        ("log.step('40', a=x)", "got '40' (str)"),
        ("log.step(None, a=x)", "got None"),
        ("log.step(True, a=x)", "got True"),
        ("log.step(-1, a=x)", "got -1"),
        ("log.step(2**63, a=x)", "got 9223372036854775808"),
        (
            "log.step(40, epoch=float('nan'), a=x)",
            "epoch must be a finite number, got nan",
        ),
        ("log.step(40, epoch=float('inf'), a=x)", "got inf"),
        (
            "log.step(40, epoch='1', a=x)",
            "epoch must be a finite number",
        ),
        (
            "log.step(40, a=np.full((3, 2), 1e39))",
            "step 40, layer 'a': 6 values of magnitude above 1e9, too large for float32 analyses (first in image 0)",
        ),
        (
            "y = x.copy(); y[2, 1] = -1.0001e9; log.step(40, a=x, b=y)",
            "layer 'b': 1 values of magnitude above 1e9",
        ),
    ];
    for (bad, message) in cases {
        let script = format!(
            "{setup}try:\n    {bad}\n    print('accepted')\nexcept ValueError as e:\n    print('refused:', e)\nlog.close()\n"
        );
        let out = python_ok(&script, dir.path());
        assert!(
            out.starts_with("refused:") && out.contains(message),
            "{bad}: {out}"
        );
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is unchanged"
    );
    // Rewriting a step is an explicit choice, and the step then holds only what was given.
    python_ok(
        &format!("{setup}log.step(30, replace=True, a=x + 1)\nlog.step(2**63 - 1, b=x)"),
        dir.path(),
    );
    assert_eq!(
        steps_and_layers(&path),
        vec![
            (10, vec!["a".into(), "b".into()]),
            (30, vec!["a".into()]),
            (i64::MAX, vec!["b".into()])
        ]
    );
}

#[test]
fn an_existing_path_is_refused_unless_append_or_overwrite_is_chosen() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    let run = |name: &str, steps: &str, mode: &str| {
        format!(
            "with Run('run.sqlite', classes=['a', 'b'], labels=[0, 1], meta={{'name': '{name}'}}{mode}) as log:\n    \
             for s in {steps}: log.step(s, logits=np.zeros((2, 2)))\n"
        )
    };
    python_ok(&run("first", "(200, 300)", ""), dir.path());
    let before = std::fs::read(&path).unwrap();
    let out = python(&run("second", "(0, 100)", ""), dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("FileExistsError: run.sqlite already exists: pass mode='append' to add steps to that run, or mode='overwrite' to replace it"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    python_ok(&run("first", "(400,)", ", mode='append'"), dir.path());
    assert_eq!(
        Store::open(&path).unwrap().catalog().steps.len(),
        3,
        "appended"
    );
    python_ok(&run("second", "(0, 100)", ", mode='overwrite'"), dir.path());
    let store = Store::open(&path).unwrap();
    assert_eq!(store.catalog().run_name(), Some("second"));
    let steps: Vec<i64> = store.catalog().steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, vec![0, 100], "only the new run's steps");
}

#[test]
fn files_that_are_not_this_loggers_runs_are_refused_without_a_byte_changed() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    python_ok(
        "import sqlite3\n\
         db = sqlite3.connect('other.sqlite'); db.execute('CREATE TABLE t (x)'); db.commit(); db.close()\n\
         with Run('newer.sqlite', classes=['a'], labels=[0]) as log: log.step(0, f=np.ones((1, 2)))\n\
         db = sqlite3.connect('newer.sqlite'); db.execute('PRAGMA user_version = 2'); db.close()\n\
         open('empty.sqlite', 'wb').close(); open('notes.txt', 'w').write('hello')\n",
        dir.path(),
    );
    let cases = [
        (
            "other.sqlite",
            "not a deepscope stats database (application_id is 0)",
        ),
        (
            "newer.sqlite",
            "written by a newer deepscope (schema version 2",
        ),
        (
            "empty.sqlite",
            "an empty file, not a deepscope stats database",
        ),
        ("notes.txt", "not an SQLite database"),
    ];
    for (file, message) in cases {
        let before = std::fs::read(dir.path().join(file)).unwrap();
        for mode in ["append", "overwrite"] {
            let out = python(
                &format!("Run('{file}', classes=['a'], labels=[0], mode='{mode}')"),
                dir.path(),
            );
            let err = String::from_utf8_lossy(&out.stderr);
            if file == "empty.sqlite" && mode == "overwrite" {
                continue; // an empty file may be replaced when asked for
            }
            assert!(err.contains(message), "{file} {mode}: {err}");
            assert_eq!(
                std::fs::read(dir.path().join(file)).unwrap(),
                before,
                "{file}"
            );
        }
        for suffix in ["-wal", "-shm", "-journal"] {
            let side = dir.path().join(format!("{file}{suffix}"));
            assert!(!side.exists(), "{} was left", side.display());
        }
    }
}

#[test]
fn the_package_and_the_file_carry_the_cargo_version() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = python_ok(
        "import deepscope\n\
         with Run('run.sqlite', classes=['a'], labels=[0]) as log: pass\n\
         print(deepscope.__version__)\n",
        dir.path(),
    );
    assert_eq!(out.trim(), env!("CARGO_PKG_VERSION"));
    let store = Store::open(dir.path().join("run.sqlite")).unwrap();
    assert_eq!(
        store
            .catalog()
            .meta
            .get("writer_version")
            .map(String::as_str),
        Some(env!("CARGO_PKG_VERSION"))
    );
}
