//! The committed sample run, `sample_data/mnist.sqlite`, holds what its README promises: the
//! 2,000 held-out MNIST digits, both layers, a learning curve from chance to ~96%, and
//! thumbnails. (That the trainer reproduces the file byte for byte is checked by hand, see
//! sample_data/README.md: training in a test would be too slow for CI.)

mod common {
    pub mod runs;
}

use deepscope::analysis::predict::{accuracy, predict};
use deepscope::model::{Catalog, Layer, LayerKind};
use deepscope::store::Store;

fn open_sample() -> Store {
    Store::open(common::runs::sample())
        .unwrap_or_else(|e| panic!("sample database does not open: {e}"))
}

fn accuracy_at(store: &Store, step: i64) -> f64 {
    let logits = store.load(step, "logits").unwrap();
    let predictions = predict(logits.view(), LayerKind::Logits);
    accuracy(&predictions, &store.catalog().labels)
}

#[test]
fn sample_holds_the_held_out_digits_with_names_and_split() {
    let store = open_sample();
    let catalog: &Catalog = store.catalog();
    assert_eq!(catalog.num_images(), 2000);
    let digits: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    assert_eq!(catalog.classes, digits);
    for class in 0..10 {
        let count = catalog.labels.iter().filter(|&&l| l == class).count();
        assert!(count > 100, "class {class} has only {count} images");
    }
    assert_eq!(catalog.image_names[0].as_deref(), Some("mnist-8000"));
    assert_eq!(catalog.image_names[1999].as_deref(), Some("mnist-9999"));
    assert!(catalog.splits.iter().all(|s| s.as_deref() == Some("test")));
    assert_eq!(catalog.run_name(), Some("mnist-mlp"));
}

#[test]
fn sample_has_both_layers_at_every_step() {
    let store = open_sample();
    let catalog = store.catalog();
    let layer = |name: &str, dim, kind| Layer {
        name: name.into(),
        dim,
        kind,
    };
    assert_eq!(
        catalog.layers,
        vec![
            layer("fc64", 64, LayerKind::Features),
            layer("logits", 10, LayerKind::Logits)
        ]
    );
    assert!(
        catalog.steps.len() >= 12,
        "only {} steps",
        catalog.steps.len()
    );
    for step in &catalog.steps {
        assert!(
            step.has_layer("fc64") && step.has_layer("logits"),
            "step {}",
            step.step
        );
    }
    // fc64 holds ReLU outputs: never negative, and not all zero.
    let last = catalog.steps.last().unwrap().step;
    let hidden = store.load(last, "fc64").unwrap();
    assert_eq!(hidden.dim(), (2000, 64));
    assert!(hidden.iter().all(|&v| v >= 0.0));
    assert!(hidden.iter().any(|&v| v > 0.0));
}

#[test]
fn sample_learns_from_chance_to_over_94_percent() {
    let store = open_sample();
    let steps = &store.catalog().steps;
    let first = steps.first().unwrap();
    let last = steps.last().unwrap();
    assert_eq!(first.step, 0);
    assert!(first.epoch.unwrap() < last.epoch.unwrap());
    let start = accuracy_at(&store, first.step);
    let end = accuracy_at(&store, last.step);
    assert!(start < 0.2, "accuracy at step {} is {start}", first.step);
    assert!(end > 0.94, "accuracy at step {} is {end}", last.step);
}

#[test]
fn sample_has_gray_28x28_thumbnails_of_the_digits() {
    let store = open_sample();
    assert!(store.catalog().has_thumbnails);
    for image in [0, 1999] {
        let thumb = store.thumbnail(image).unwrap().expect("a thumbnail");
        assert_eq!((thumb.width, thumb.height, thumb.channels), (28, 28, 1));
        // A digit: mostly background, with some full ink.
        let ink = thumb.pixels.iter().filter(|&&p| p > 128).count();
        assert!(
            (30..400).contains(&ink),
            "image {image} has {ink} inked pixels"
        );
        assert_eq!(thumb.rgb(0, 0), [0, 0, 0]);
    }
}

#[test]
fn info_json_on_the_sample_matches_the_documented_shape() {
    let path = common::runs::sample();
    let out = assert_cmd::Command::cargo_bin("deepscope")
        .unwrap()
        .args(["info", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["images"], 2000);
    assert_eq!(json["classes"].as_array().unwrap().len(), 10);
    assert_eq!(
        json["layers"][0],
        serde_json::json!({"name": "fc64", "dim": 64, "kind": "features"})
    );
    assert_eq!(
        json["layers"][1],
        serde_json::json!({"name": "logits", "dim": 10, "kind": "logits"})
    );
    let steps: Vec<i64> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_i64().unwrap())
        .collect();
    assert!(steps.len() >= 12);
    // Accuracy is keyed by step in numeric order, rising from chance to above 94%.
    let accuracy = json["accuracy"].as_object().unwrap();
    // (serde_json's Value sorts keys as text, so read the order from the raw output.)
    let raw = String::from_utf8(out.stdout.clone()).unwrap();
    let object = &raw[raw.find("\"accuracy\":{").unwrap()..];
    let keys: Vec<i64> = object
        .split('"')
        .skip(3)
        .step_by(2)
        .map_while(|k| k.parse().ok())
        .collect();
    assert_eq!(keys, steps);
    assert_eq!(accuracy.len(), steps.len());
    let first = accuracy[&steps[0].to_string()].as_f64().unwrap();
    let last = accuracy[&steps[steps.len() - 1].to_string()]
        .as_f64()
        .unwrap();
    assert!(first < 0.2 && last > 0.94, "{first} -> {last}");
}
