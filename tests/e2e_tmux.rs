//! The real binary in a real terminal: tmux runs `deepscope` on the sample, keys are sent,
//! and the captured screen is checked; quitting restores the shell. Polls with a deadline
//! instead of sleeping a fixed time.

use std::process::Command;
use std::time::{Duration, Instant};

struct Session(String);

impl Session {
    /// Runs `deepscope DB` in a new detached tmux session of `width` x `height`; when it
    /// exits the pane shows `deepscope-exited-CODE` and stays open to be read.
    fn start(name: &str, db: &str, width: u32, height: u32) -> Session {
        Session::start_with(name, db, width, height, "")
    }

    /// Like `start`, with `env` (e.g. `XDG_CACHE_HOME='/tmp/x'`) set for deepscope.
    fn start_with(name: &str, db: &str, width: u32, height: u32, env: &str) -> Session {
        let session = Session(format!("deepscope-e2e-{name}-{}", std::process::id()));
        let binary = env!("CARGO_BIN_EXE_deepscope");
        let command = format!("env {env} '{binary}' '{db}'; echo deepscope-exited-$?; sleep 30");
        let (w, h) = (width.to_string(), height.to_string());
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session.0,
            "-x",
            &w,
            "-y",
            &h,
            &command,
        ]);
        session
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits until the pane shows `needle`, or fails with what it shows.
fn wait_for(session: &str, needle: &str) -> String {
    // Generous: a t-SNE map of the sample takes seconds in a debug build on two cores.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if screen.contains(needle) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "'{needle}' never appeared; the screen shows:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn tmux_available() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("CI must provide tmux (see .ci/run)");
    }
    ok
}

#[test]
fn the_viewer_runs_in_tmux_and_quits_cleanly() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_data/mnist.sqlite");
    let session = Session::start("view", sample, 120, 36);

    // The first screen comes before the terminal's graphics query is answered (tmux here
    // never answers): keys are sent once data, read after the query, is shown.
    wait_for(&session.0, "step 6000 (16/16)");
    wait_for(&session.0, "variance");

    tmux(&["send-keys", "-t", &session.0, "Home"]);
    wait_for(&session.0, "step 0 (1/16)");
    tmux(&["send-keys", "-t", &session.0, "Right"]);
    wait_for(&session.0, "step 10 (2/16)");

    tmux(&["send-keys", "-t", &session.0, "End", "2"]);
    wait_for(&session.0, "logit correlation");
    wait_for(&session.0, "order: fixed from step 6000");

    tmux(&["send-keys", "-t", &session.0, "3"]);
    wait_for(&session.0, "(predicted class)");
    wait_for(&session.0, "84 of 84 wrong");

    tmux(&["send-keys", "-t", &session.0, "?"]);
    wait_for(&session.0, "keys (Esc closes)");
    tmux(&["send-keys", "-t", &session.0, "Escape", "q"]);
    let screen = wait_for(&session.0, "deepscope-exited-0");
    // The alternate screen is gone: the UI's frame is no longer on the terminal.
    assert!(!screen.contains("1 Projection"), "{screen}");
}

#[test]
fn a_tsne_map_is_computed_in_the_background_and_cached_for_the_next_visit() {
    if !tmux_available() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let env = format!("XDG_CACHE_HOME='{}'", cache.path().display());
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_data/mnist.sqlite");
    for visit in ["first", "second"] {
        let session = Session::start_with(visit, sample, 120, 36, &env);
        wait_for(&session.0, "variance");
        tmux(&["send-keys", "-t", &session.0, "m"]);
        let screen = wait_for(&session.0, "KL ");
        assert!(screen.contains("t-SNE of fc64"), "{screen}");
        assert_eq!(screen.contains("(cached)"), visit == "second", "{screen}");
        tmux(&["send-keys", "-t", &session.0, "q"]);
        wait_for(&session.0, "deepscope-exited-0");
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
    let session = Session::start("bad", &bad.display().to_string(), 100, 10);
    let screen = wait_for(&session.0, "deepscope-exited-2");
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

    let session = Session::start("live", &path.display().to_string(), 120, 30);
    wait_for(&session.0, "step 0 (1/1)");
    // The training run goes on: each new step shows up, and the viewer, on the last step
    // with follow on, moves to it.
    for (i, step) in [100i64, 200, 300].into_iter().enumerate() {
        write_step(&mut w, step);
        wait_for(&session.0, &format!("step {step} ({}/{})", i + 2, i + 2));
    }
    // Stepping back stays put while new steps keep arriving.
    tmux(&["send-keys", "-t", &session.0, "Home"]);
    wait_for(&session.0, "step 0 (1/4)");
    write_step(&mut w, 400);
    wait_for(&session.0, "step 0 (1/5)");
    tmux(&["send-keys", "-t", &session.0, "q"]);
    wait_for(&session.0, "deepscope-exited-0");
    w.finish().unwrap();
}
