//! A viewer started before its training run, in a real terminal (tmux): it waits for the
//! file on screen, then shows the run as a writer creates it and logs its steps, with the
//! layers declared just before the first step.

mod common {
    #[allow(dead_code)] // no map waited for here
    pub mod tmux;
}

use common::tmux::{Session, binary, tmux_available};
use deepscope::model::LayerKind;
use deepscope::store::Writer;
use ndarray::Array2;

fn log(w: &mut Writer, step: i64) {
    let feat = Array2::from_shape_fn((30, 4), |(i, j)| ((i * 4 + j) as f32 * 0.3).sin());
    // 1/3 right at step 0 (everything predicted as class 0), all right later.
    let logits = Array2::from_shape_fn((30, 3), |(i, j)| match step {
        0 => f32::from(j == 0),
        _ => f32::from(i % 3 == j),
    });
    let layers = [("feat", feat.view()), ("logits", logits.view())];
    w.add_step(step, None, None, &layers).unwrap();
}

#[test]
fn a_viewer_started_before_its_run_waits_for_the_file_and_then_follows_it() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.sqlite");
    let command = format!("'{}' '{}'", binary(), path.display());
    let session = Session::start("later", &command, (120, 30));
    session.wait_for("later.sqlite to be created");

    // The logger starts: classes and images, no layer and no step yet.
    let mut w = Writer::create(&path).unwrap();
    w.add_classes(&["a", "b", "c"]).unwrap();
    let labels: Vec<u32> = (0..30).map(|i| i % 3).collect();
    w.add_images(&labels, None, None).unwrap();
    session.wait_for("no steps yet");

    // Its first step declares the layers: the viewer reads them and shows the step.
    w.add_layer("feat", 4, LayerKind::Features).unwrap();
    w.add_layer("logits", 3, LayerKind::Logits).unwrap();
    log(&mut w, 0);
    session.wait_for("step 0 (1/1)");
    log(&mut w, 100);
    let screen = session.wait_for("step 100 (2/2)");
    assert!(screen.contains("following"), "{screen}");
    assert!(!screen.contains("not in the layers table"), "{screen}");
    // The accuracy line has a bar for each step (1/3 right at step 0, all at step 100).
    session.wait_for("▃█");
    session.wait_for_input();
    session.keys(&["q"]);
    session.wait_for("exited-0");
    w.finish().unwrap();
}

#[test]
fn q_leaves_the_waiting_screen_and_a_missing_folder_is_an_error() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("never.sqlite");
    let command = format!("'{}' '{}'", binary(), path.display());
    let session = Session::start("never", &command, (80, 24));
    session.wait_for("never.sqlite to be created");
    session.keys(&["q"]);
    session.wait_for("exited-0");
    assert!(!path.exists());

    let typo = dir.path().join("no-such-folder/run.sqlite");
    let command = format!("'{}' '{}'", binary(), typo.display());
    let session = Session::start("typo", &command, (80, 24));
    let screen = session.wait_for("exited-2");
    assert!(screen.contains("run.sqlite"), "{screen}");
}
