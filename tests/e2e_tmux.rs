//! The real binary in a real terminal: tmux runs `deepscope` on the sample, keys are sent,
//! and the captured screen is checked; quitting restores the shell. Polls with a deadline
//! instead of sleeping a fixed time.

mod common {
    pub mod runs;
    pub mod tmux;
}

use common::runs::sample;
use common::tmux::{Session, binary, tmux_available};

/// Runs `deepscope DB` in a pane of `size`, with `env` (e.g. `XDG_CACHE_HOME='/tmp/x'`)
/// set for it.
fn viewer(name: &str, db: &str, size: (u16, u16), env: &str) -> Session {
    Session::start(name, &format!("env {env} '{}' '{db}'", binary()), size)
}

#[test]
fn the_viewer_runs_in_tmux_and_quits_cleanly() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let sample = sample().display().to_string();
    let session = viewer("view", &sample, (120, 36), "");

    // The first screen and its map come before the terminal's graphics query is answered
    // (tmux here never answers): keys are sent once the viewer reads them.
    session.wait_for("step 6000 (16/16)");
    session.wait_for_map();

    session.keys(&["Home"]);
    session.wait_for("step 0 (1/16)");
    session.keys(&["Right"]);
    session.wait_for("step 10 (2/16)");

    session.keys(&["End", "2"]);
    session.wait_for("logit correlation");
    session.wait_for("order: fixed from step 6000");

    session.keys(&["3"]);
    session.wait_for("(pred.)");
    session.wait_for("84 of 84 wrong");

    session.keys(&["?"]);
    session.wait_for("Esc closes)");
    session.keys(&["Escape", "q"]);
    let screen = session.wait_for("exited-0");
    // The alternate screen is gone: the UI's frame is no longer on the terminal.
    assert!(!screen.contains("1 Projection"), "{screen}");
    assert_eq!(session.format("#{alternate_on}"), "0");
}

#[test]
fn a_tsne_map_is_computed_in_the_background_and_cached_for_the_next_visit() {
    if !tmux_available() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let env = format!("XDG_CACHE_HOME='{}'", cache.path().display());
    let sample = sample().display().to_string();
    for visit in ["first", "second"] {
        // The first screen turns to t-SNE by itself once the map is there.
        let session = viewer(visit, &sample, (120, 36), &env);
        let screen = session.wait_for("KL ");
        assert!(screen.contains("t-SNE of fc64"), "{screen}");
        assert_eq!(screen.contains("(cached)"), visit == "second", "{screen}");
        session.wait_for_input();
        session.keys(&["q"]);
        session.wait_for("exited-0");
    }
}

#[test]
fn a_bad_file_gets_one_line_and_no_terminal_changes() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.sqlite");
    std::fs::write(
        &bad,
        "not a database at all, just some text that is long enough",
    )
    .unwrap();
    let session = viewer("bad", &bad.display().to_string(), (100, 10), "");
    let screen = session.wait_for("exited-2");
    assert!(
        screen.contains("notes.sqlite: not an SQLite database"),
        "{screen}"
    );
}

#[test]
fn steps_written_while_the_viewer_runs_appear_live() {
    use deepscope::model::LayerKind;
    use deepscope::store::Writer;
    use ndarray::Array2;
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    let mut w = Writer::create(&path).unwrap();
    w.set_meta("name", "live-run").unwrap();
    w.add_classes(&["a", "b", "c"]).unwrap();
    let labels: Vec<u32> = (0..60).map(|i| i % 3).collect();
    w.add_images(&labels, None, None).unwrap();
    w.add_layer("feat", 4, LayerKind::Features).unwrap();
    w.add_layer("logits", 3, LayerKind::Logits).unwrap();
    let write_step = |w: &mut Writer, step: i64| {
        let feat = Array2::from_shape_fn((60, 4), |(i, j)| {
            ((i * 3 + j) as f32 * 0.1).sin() + step as f32 * 0.01
        });
        let logits = Array2::from_shape_fn((60, 3), |(i, j)| {
            if labels[i] as usize == j {
                step as f32 / 100.0
            } else {
                0.0
            }
        });
        w.add_step(
            step,
            None,
            None,
            &[("feat", feat.view()), ("logits", logits.view())],
        )
        .unwrap();
    };
    write_step(&mut w, 0);

    let session = viewer("live", &path.display().to_string(), (120, 30), "");
    session.wait_for("step 0 (1/1)");
    session.wait_for_input();
    // The training run goes on: each new step shows up, and the viewer, on the last step
    // with follow on, moves to it.
    for (i, step) in [100i64, 200, 300].into_iter().enumerate() {
        write_step(&mut w, step);
        session.wait_for(&format!("step {step} ({}/{})", i + 2, i + 2));
    }
    // Stepping back stays put while new steps keep arriving.
    session.keys(&["Home"]);
    session.wait_for("step 0 (1/4)");
    write_step(&mut w, 400);
    session.wait_for("step 0 (1/5)");
    session.keys(&["q"]);
    session.wait_for("exited-0");
    w.finish().unwrap();
}
