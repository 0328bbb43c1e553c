//! Suspected label errors: confident learning agrees with cleanlab exactly (fixtures written
//! by scripts/cleanlab_fixtures.py), `deepscope suspects` prints the queue as a table, JSON
//! and CSV with the user's marks, and `synth --label-noise` records the labels it flipped.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use deepscope::analysis::suspects::argsort::argsort;
use deepscope::analysis::suspects::confident::softmax_f64;
use deepscope::analysis::suspects::{Method, RankBy, rank_confident, step_evidence};
use deepscope::query::marks::{Mark, MarkStore, Marks};
use deepscope::query::suspects::{SuspectOptions, suspects};
use deepscope::store::Store;
use ndarray::Array2;
use serde_json::Value;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist.sqlite")
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ids(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn joint(v: &Value) -> Vec<Vec<i64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_i64().unwrap())
                .collect()
        })
        .collect()
}

fn confident(store: &Store, step: i64, rank_by: RankBy) -> Vec<usize> {
    let options = SuspectOptions {
        step: Some(step),
        method: Method::Confident,
        rank_by,
    };
    let queue = suspects(store, &options).unwrap();
    queue.suspects.iter().map(|s| s.image as usize).collect()
}

#[test]
fn confident_learning_equals_cleanlab_on_the_sample() {
    let store = Store::open(sample()).unwrap();
    let fx = fixture("cleanlab_sample.json");
    for (step, want) in fx["steps"].as_object().unwrap() {
        let step: i64 = step.parse().unwrap();
        let by_sc = confident(&store, step, RankBy::SelfConfidence);
        assert_eq!(by_sc, ids(&want["ranked_self_confidence"]), "step {step}");
        let mut set = by_sc.clone();
        set.sort_unstable();
        assert_eq!(set, ids(&want["issues"]), "step {step}");
        let by_nm = confident(&store, step, RankBy::NormalizedMargin);
        assert_eq!(by_nm, ids(&want["ranked_normalized_margin"]), "step {step}");
        let queue = suspects(
            &store,
            &SuspectOptions {
                step: Some(step),
                method: Method::Confident,
                rank_by: RankBy::SelfConfidence,
            },
        )
        .unwrap();
        let rows: Vec<Vec<i64>> = queue
            .confident_joint
            .outer_iter()
            .map(|r| r.to_vec())
            .collect();
        assert_eq!(rows, joint(&want["confident_joint"]), "step {step}");
        // Bit for bit: the probabilities are cleanlab's inputs exactly (same exp, same sums).
        let thresholds: Vec<f64> = want["thresholds_bits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| f64::from_bits(w.as_u64().unwrap()))
            .collect();
        assert_eq!(queue.thresholds, thresholds, "step {step}");
    }
}

#[test]
fn confident_learning_equals_cleanlab_on_a_noisy_synthetic_run() {
    let fx = fixture("cleanlab_synth.json");
    let labels: Vec<u32> = ids(&fx["labels"]).into_iter().map(|l| l as u32).collect();
    let rows = fx["logits"].as_array().unwrap();
    let k = rows[0].as_array().unwrap().len();
    let logits = Array2::from_shape_fn((rows.len(), k), |(i, j)| {
        rows[i][j].as_f64().unwrap() as f32
    });
    let probs = softmax_f64(logits.view());
    let e = step_evidence(probs.view(), &labels);
    let flagged: Vec<usize> = (0..labels.len())
        .filter(|&i| e.confident.issues[i])
        .collect();
    assert_eq!(flagged, ids(&fx["issues"]));
    let rows: Vec<Vec<i64>> = e
        .confident
        .confident_joint
        .outer_iter()
        .map(|r| r.to_vec())
        .collect();
    assert_eq!(rows, joint(&fx["confident_joint"]));
    for (rank_by, key) in [
        (RankBy::SelfConfidence, "ranked_self_confidence"),
        (RankBy::NormalizedMargin, "ranked_normalized_margin"),
    ] {
        // Exactly cleanlab's order, ties included (several images have p(given) = 0).
        let ranked: Vec<usize> = rank_confident(&e, rank_by)
            .iter()
            .map(|r| r.image)
            .collect();
        assert_eq!(ranked, ids(&fx[key]), "{key}");
    }
    // The run's flipped labels are what it finds, mostly.
    let flipped = ids(&fx["flipped_labels"]);
    let found = flagged.iter().filter(|i| flipped.contains(i)).count();
    assert!(found * 2 > flipped.len(), "{found} of {}", flipped.len());
}

#[test]
fn argsort_orders_ties_as_numpy() {
    // numpy's argsort of arrays full of ties and NaNs (null in JSON), and of one built to
    // drive its quicksort into the heapsort fallback.
    let fx = fixture("cleanlab_argsort.json");
    for case in fx["cases"].as_array().unwrap() {
        let values: Vec<f64> = case["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect();
        assert_eq!(argsort(&values), ids(&case["argsort"]), "{values:?}");
    }
}

fn deepscope(args: &[&str], data_home: &Path) -> std::process::Output {
    Command::cargo_bin("deepscope")
        .unwrap()
        .args(args)
        .env("XDG_DATA_HOME", data_home)
        .output()
        .unwrap()
}

#[test]
fn the_command_prints_the_queue_as_json_csv_and_a_table() {
    let home = tempfile::tempdir().unwrap();
    let db = sample();
    let db = db.to_str().unwrap();
    let out = deepscope(
        &["suspects", db, "--method", "confident", "--json"],
        home.path(),
    );
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let images: Vec<usize> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["image"].as_u64().unwrap() as usize)
        .collect();
    let want = &fixture("cleanlab_sample.json")["steps"]["6000"];
    assert_eq!(images, ids(&want["ranked_self_confidence"]));
    for s in json.as_array().unwrap() {
        assert_ne!(s["given"], s["suggested"]);
        assert!(s["name"].as_str().unwrap().starts_with("mnist-"));
        let score = s["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
    }

    // Marks set in the viewer come out with the CSV, also for an image outside the queue.
    let store = MarkStore::from_vars(Some(home.path().into()), None).unwrap();
    let mut marks = Marks::default();
    marks.set(images[0] as u32, Some(Mark::Wrong));
    marks.set(0, Some(Mark::Right));
    store.save(&sample(), &marks).unwrap();
    let out = deepscope(&["suspects", db, "--csv"], home.path());
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("rank,image,name,given,given_name,suggested")
    );
    assert!(lines.next().unwrap().starts_with("1,"));
    let first = images[0].to_string();
    assert!(
        csv.lines()
            .any(|l| l.split(',').nth(1) == Some(first.as_str()) && l.ends_with(",wrong")),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with(",0,mnist-8000,") && l.ends_with(",right")),
        "{csv}"
    );

    let out = deepscope(&["suspects", db, "--method", "dynamics"], home.path());
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("step 6000: "), "{table}");
    assert!(table.contains("training dynamics"), "{table}");
}

#[test]
fn bad_requests_get_one_line_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let db = sample();
    let out = deepscope(
        &["suspects", db.to_str().unwrap(), "--step", "7"],
        home.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("mnist.sqlite") && err.contains("step 7"),
        "{err}"
    );
    let missing = home.path().join("none.sqlite");
    let out = deepscope(&["suspects", missing.to_str().unwrap()], home.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists());
}

#[test]
fn synth_flips_the_share_of_labels_it_records() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, noise: &str| {
        let path = dir.path().join(name);
        Command::cargo_bin("deepscope")
            .unwrap()
            .args(["synth", "--images", "400", "--classes", "8", "--dim", "8"])
            .args(["--steps", "4", "--seed", "5", "--label-noise", noise])
            .arg(&path)
            .assert()
            .success();
        Store::open(path).unwrap()
    };
    let clean = run("clean.sqlite", "0");
    let noisy = run("noisy.sqlite", "0.1");
    assert!(!clean.catalog().meta.contains_key("flipped_labels"));
    let flipped: Vec<usize> =
        serde_json::from_str(&noisy.catalog().meta["flipped_labels"]).unwrap();
    assert_eq!(flipped.len(), 40);
    let changed: Vec<usize> = (0..400)
        .filter(|&i| clean.catalog().labels[i] != noisy.catalog().labels[i])
        .collect();
    assert_eq!(changed, flipped);
    // The activations follow the true class: same logits in both runs.
    let last = clean.catalog().steps.last().unwrap().step;
    assert_eq!(
        clean.load(last, "logits").unwrap(),
        noisy.load(last, "logits").unwrap()
    );
    let bad = dir.path().join("bad.sqlite");
    Command::cargo_bin("deepscope")
        .unwrap()
        .args(["synth", "--label-noise", "1.5"])
        .arg(&bad)
        .assert()
        .code(2);
    assert!(!bad.exists());
}
