//! `deepscope synth` writes a valid run whose known structure the analysis recovers: accuracy
//! rises over the steps, and the logits' correlation shows the super-classes as blocks.

use assert_cmd::Command;
use deepscope::analysis::ordering::{Linkage, order_classes};
use deepscope::analysis::similarity::logit_correlation;
use deepscope::query::scores::accuracy_by_step;
use deepscope::store::{Store, check};

#[test]
fn a_synthetic_run_is_valid_and_has_its_hierarchy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("synth.sqlite");
    Command::cargo_bin("deepscope")
        .unwrap()
        .args([
            "synth",
            "--images",
            "1500",
            "--classes",
            "12",
            "--superclasses",
            "3",
            "--dim",
            "24",
            "--steps",
            "6",
            "--seed",
            "1",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "1500 images, 12 classes in 3 super-classes",
        ));
    let report = check(&path).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    let store = Store::open(&path).unwrap();
    let accuracy: Vec<f64> = accuracy_by_step(&store)
        .unwrap()
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    assert_eq!(accuracy.len(), 6);
    assert!(accuracy[0] < 0.3 && accuracy[5] > 0.75, "{accuracy:?}");
    assert!(
        accuracy.windows(2).all(|w| w[1] >= w[0] - 0.02),
        "accuracy rises: {accuracy:?}"
    );

    let superclass: Vec<usize> = store.catalog().meta["superclass_of_class"]
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    let last = store.catalog().steps.last().unwrap().step;
    let corr = logit_correlation(store.load(last, "logits").unwrap().view());
    let (mut within, mut between) = (vec![], vec![]);
    for i in 0..12 {
        for j in 0..12 {
            if i != j {
                if superclass[i] == superclass[j] {
                    within.push(corr[[i, j]])
                } else {
                    between.push(corr[[i, j]])
                }
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(
        mean(&within) > mean(&between) + 0.1,
        "within {} between {}",
        mean(&within),
        mean(&between)
    );
    // The Blocks ordering puts each super-class's classes next to each other.
    let order = order_classes(corr.view(), Linkage::Average).order;
    let changes = order
        .windows(2)
        .filter(|w| superclass[w[0]] != superclass[w[1]])
        .count();
    assert_eq!(changes, 2, "3 contiguous blocks in {order:?}");
}

#[test]
fn synth_refuses_bad_parameters_and_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sqlite");
    Command::cargo_bin("deepscope")
        .unwrap()
        .args(["synth", "--classes", "4", "--superclasses", "9"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("superclasses must be in 1..=4"));
    std::fs::write(&path, "precious").unwrap();
    Command::cargo_bin("deepscope")
        .unwrap()
        .args(["synth", "--images", "10"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("file already exists"));
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
}
