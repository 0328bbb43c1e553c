//! `deepscope show` in a pipe prints text only: the facts, never escape codes.

use assert_cmd::Command;
use deepscope::model::{LayerKind, Thumbnail};
use deepscope::store::Writer;
use ndarray::Array2;

fn write_run(path: &std::path::Path) {
    let mut w = Writer::create(path).unwrap();
    w.add_classes(&["cat", "dog\u{1b}[31m"]).unwrap();
    w.add_images(
        &[0, 1, 0],
        Some(&["a.png".into(), "b.png".into(), "c.png".into()]),
        None,
    )
    .unwrap();
    let t = Thumbnail {
        width: 2,
        height: 2,
        channels: 3,
        pixels: vec![9; 12],
    };
    w.add_thumbnails(&[t.clone(), t.clone(), t]).unwrap();
    w.add_layer("logits", 2, LayerKind::Logits).unwrap();
    // Image 2 (a cat) is right at step 0, wrong at step 5, right again at step 9.
    for (step, wrong) in [(0, false), (5, true), (9, false)] {
        let logits = Array2::from_shape_fn((3, 2), |(i, j)| {
            let predicted = if i == 2 && wrong { 1 } else { [0, 1, 0][i] };
            if j == predicted { 1.0 } else { 0.0 }
        });
        w.add_step(step, None, None, &[("logits", logits.view())])
            .unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn show_prints_label_prediction_and_history_without_escape_codes_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    write_run(&path);
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(["show", "--image", "2", "--step", "5"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "escape codes in a pipe: {text:?}");
    assert!(text.contains("image 2 (c.png)"), "{text}");
    assert!(text.contains("label      cat"), "{text}");
    // softmax([0, 1]) = 0.731 for the predicted class.
    assert!(
        text.contains("step 5: predicted dog\\u{1b}[31m (p=0.731), p(true)=0.269, WRONG"),
        "{text}"
    );
    let history: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_end().ends_with('*'))
        .collect();
    assert_eq!(history.len(), 1, "one wrong step in the history: {text}");
    assert!(history[0].contains(" 5 "), "{text}");
}

#[test]
fn show_rejects_an_unknown_image_or_step_with_what_exists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    write_run(&path);
    Command::cargo_bin("deepscope")
        .unwrap()
        .args(["show", "--image", "7"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no image 7; images are 0..2"));
    Command::cargo_bin("deepscope")
        .unwrap()
        .args(["show", "--image", "1", "--step", "4"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no step 4; steps are 0, 5, 9"));
}
