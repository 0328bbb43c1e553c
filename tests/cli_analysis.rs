//! The analysis subcommands on the sample run agree with numpy on the same data: the logit
//! correlation (within 1e-5), PCA's explained variance (within 1e-4), exact neighbours, and
//! `info`'s accuracy at every step.

mod common {
    pub mod cli;
    pub mod runs;
}

use std::process::Command as Process;

use assert_cmd::Command;
use common::cli::sample_json;
use common::runs::sample;
use serde_json::Value;

/// numpy's answers, computed straight from the SQLite file.
const NUMPY_REFERENCE: &str = r#"
import json, sqlite3, sys
import numpy as np
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
def load(step, layer):
    blob = db.execute("SELECT data FROM activations WHERE step = ? AND layer = ?", (step, layer)).fetchone()[0]
    return np.frombuffer(blob, "<f4").reshape(2000, -1).astype(np.float64)
corr = np.corrcoef(load(6000, "logits"), rowvar=False).clip(0)
features = load(6000, "fc64")
values = np.linalg.eigvalsh(np.cov(features, rowvar=False))[::-1]
q = features[5]
cosine = 1 - features @ q / (np.linalg.norm(features, axis=1) * np.linalg.norm(q))
cosine[5] = np.inf
euclid = np.linalg.norm(features - q, axis=1)
euclid[5] = np.inf
labels = np.array([r[0] for r in db.execute("SELECT label FROM images ORDER BY id")])
sevens = np.where(labels == 7, euclid, np.inf)
name, dim = db.execute("SELECT name, dim FROM layers WHERE kind = 'logits'").fetchone()
accuracy = {
    str(step): float((np.frombuffer(blob, "<f4").reshape(len(labels), dim).argmax(axis=1) == labels).mean())
    for step, blob in db.execute("SELECT step, data FROM activations WHERE layer = ?", (name,))
}
print(json.dumps({
    "accuracy": accuracy,
    "corr": corr.tolist(),
    "ratio": (values[:2] / values.sum()).tolist(),
    "cosine": np.argsort(cosine, kind="stable")[:10].tolist(),
    "sevens": np.argsort(sevens, kind="stable")[:8].tolist(),
}))
"#;

fn numpy_reference() -> Option<Value> {
    let out = Process::new("python3")
        .arg("-c")
        .arg(NUMPY_REFERENCE)
        .arg(sample())
        .output()
        .ok()?;
    if !out.status.success() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI must provide python3 with numpy: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        eprintln!(
            "skipped the numpy comparison: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

#[test]
fn agrees_with_numpy_on_the_sample() {
    let Some(reference) = numpy_reference() else {
        return;
    };

    let info = sample_json(&["info"]);
    let accuracy = info["accuracy"].as_object().unwrap();
    let numpy = reference["accuracy"].as_object().unwrap();
    assert_eq!(accuracy.len(), numpy.len(), "{info}");
    for (step, a) in accuracy {
        let b = numpy[step].as_f64().unwrap();
        assert!(
            (a.as_f64().unwrap() - b).abs() < 1e-12,
            "step {step}: {a} vs numpy {b}"
        );
    }

    let similarity = sample_json(&["similarity"]);
    for (ours, theirs) in similarity["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reference["corr"].as_array().unwrap())
    {
        for (a, b) in floats(ours).iter().zip(floats(theirs)) {
            assert!((a - b).abs() < 1e-5, "correlation {a} vs numpy {b}");
        }
    }

    let projection = sample_json(&["project", "--layer", "fc64"]);
    for (a, b) in floats(&projection["explained_variance_ratio"])
        .iter()
        .zip(floats(&reference["ratio"]))
    {
        assert!((a - b).abs() < 1e-4, "explained variance {a} vs numpy {b}");
    }
    assert_eq!(
        projection["points"].as_array().unwrap().len(),
        2000,
        "every image is projected"
    );

    let cosine = sample_json(&["neighbors", "--image", "5", "--k", "10"]);
    let ours: Vec<i64> = cosine["neighbors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["image"].as_i64().unwrap())
        .collect();
    assert_eq!(ours, ints(&reference["cosine"]));

    let sevens = sample_json(&[
        "neighbors",
        "--image",
        "5",
        "--k",
        "8",
        "--metric",
        "euclidean",
        "--class",
        "7",
    ]);
    let neighbours = sevens["neighbors"].as_array().unwrap();
    assert!(
        neighbours.iter().all(|n| n["label"] == 7),
        "only sevens: {sevens}"
    );
    let ours: Vec<i64> = neighbours
        .iter()
        .map(|n| n["image"].as_i64().unwrap())
        .collect();
    assert_eq!(ours, ints(&reference["sevens"]));
}

#[test]
fn similarity_order_shows_the_digit_blocks() {
    let s = sample_json(&["similarity", "--linkage", "average"]);
    let order: Vec<usize> = ints(&s["order"]).into_iter().map(|i| i as usize).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    // 4, 7 and 9 are the digits an MLP confuses most with each other: they sit together.
    let at = |d: usize| order.iter().position(|&c| c == d).unwrap() as i64;
    let (a, b, c) = (at(4), at(7), at(9));
    assert!(
        a.max(b).max(c) - a.min(b).min(c) == 2,
        "4, 7, 9 contiguous in {order:?}"
    );
    let matrix = &s["matrix"];
    for i in 0..10 {
        assert_eq!(matrix[i][i], 1.0);
        for j in 0..10 {
            assert_eq!(matrix[i][j], matrix[j][i]);
        }
    }
}

#[test]
fn misclassified_clusters_and_history_are_consistent() {
    let info = sample_json(&["info"]);
    let wrong = sample_json(&["misclassified"]);
    let wrong = wrong.as_array().unwrap();
    let accuracy = info["accuracy"]["6000"].as_f64().unwrap();
    assert_eq!(wrong.len(), ((1.0 - accuracy) * 2000.0).round() as usize);
    assert!(wrong.iter().all(|m| m["label"] != m["predicted"]));
    let confidences: Vec<f64> = wrong
        .iter()
        .map(|m| m["confidence"].as_f64().unwrap())
        .collect();
    assert!(
        confidences.windows(2).all(|w| w[0] >= w[1]),
        "most confident first"
    );

    let clusters = sample_json(&["clusters", "--k", "10", "--seed", "1"]);
    let sizes: i64 = clusters["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["size"].as_i64().unwrap())
        .sum();
    assert_eq!(sizes, 2000);
    assert_eq!(clusters["assignment"].as_array().unwrap().len(), 2000);

    let image = wrong[0]["image"].as_i64().unwrap().to_string();
    let history = sample_json(&["history", "--image", &image]);
    assert_eq!(
        history["steps"].as_array().unwrap().len(),
        info["steps"].as_array().unwrap().len()
    );
    assert_eq!(
        history["learned_at"],
        Value::Null,
        "wrong at the last step: never learned"
    );
}

#[test]
fn unknown_names_get_errors_listing_what_exists() {
    let fails = |args: &[&str], needle: &str| {
        Command::cargo_bin("deepscope")
            .unwrap()
            .args(args)
            .arg(sample())
            .assert()
            .code(2)
            .stderr(predicates::str::contains(needle));
    };
    fails(
        &["project", "--layer", "conv9"],
        "no layer 'conv9'; layers are fc64, logits",
    );
    fails(
        &["project", "--step", "7"],
        "no step 7; steps are 0, 10, 25",
    );
    fails(
        &["neighbors", "--image", "2000"],
        "no image 2000; images are 0..1999",
    );
    fails(
        &["neighbors", "--image", "1", "--class", "cat"],
        "no class 'cat'; classes are 0, 1, 2",
    );
    fails(&["misclassified", "--layer", "fc64"], "not class scores");
    fails(&["history", "--image", "99999"], "no image 99999");
}
