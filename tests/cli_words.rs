//! The command line's words: when an image was learned and how often forgotten (as the
//! viewer says it), and a t-SNE perplexity to one decimal.

mod common {
    pub mod cli;
    pub mod runs;
}

use assert_cmd::Command;
use common::cli::sample_json;
use common::runs::sample;
use deepscope::model::LayerKind;
use deepscope::store::Writer;
use ndarray::Array2;

fn deepscope(args: &[&str]) -> String {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(args)
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("deepscope-words"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn history_says_an_image_wrong_at_the_end_was_not_learned() {
    let wrong = sample_json(&["misclassified"]);
    let image = wrong[0]["image"].as_i64().unwrap().to_string();
    let db = sample().display().to_string();
    let text = deepscope(&["history", &db, "--image", &image]);
    assert!(text.contains("not learned by the last step, "), "{text}");
    assert!(
        !text.contains("never learned") && !text.contains("1 times"),
        "{text}"
    );
}

#[test]
fn a_lowered_perplexity_is_printed_to_one_decimal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.sqlite");
    let mut w = Writer::create(&path).unwrap();
    w.add_classes(&["a", "b"]).unwrap();
    let labels: Vec<u32> = (0..30).map(|i| i % 2).collect();
    w.add_images(&labels, None, None).unwrap();
    w.add_layer("feat", 3, LayerKind::Features).unwrap();
    let feat = Array2::from_shape_fn((30, 3), |(i, j)| ((i * 3 + j) as f32 * 0.7).sin());
    w.add_step(0, None, None, &[("feat", feat.view())]).unwrap();
    w.finish().unwrap();
    let db = path.display().to_string();
    let text = deepscope(&["project", &db, "--method", "tsne"]);
    let line = text.lines().find(|l| l.contains("perplexity")).unwrap();
    // "(perplexity 9.7, reduced from 30.0: too few images)": one decimal each.
    let numbers: Vec<&str> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|s| s.contains('.') && s.len() > 1)
        .collect();
    assert!(line.contains("reduced from 30.0"), "{line}");
    for n in &numbers[1..] {
        assert_eq!(n.split('.').nth(1).map(str::len), Some(1), "{line}");
    }
}
