//! The viewer with its real worker threads: key presses arrive faster than the jobs they
//! start finish, and every step still ends up drawn (no request is left waiting for good).

mod common {
    pub mod synth;
}

use std::time::{Duration, Instant};

use deepscope::store::Store;
use deepscope::tui::app::App;
use deepscope::tui::keymap::Action;
use deepscope::tui::worker::Worker;

/// Sends the app's new requests to the worker, as the event loop does after each event.
fn send(app: &mut App, worker: &Worker) {
    for r in app.requests() {
        worker.send(r).unwrap();
    }
}

/// Applies the worker's answers (asking for whatever they leave wanted) until `done`;
/// fails if the worker stays silent for `idle` while the app still waits.
fn pump_until(app: &mut App, worker: &Worker, idle: Duration, done: impl Fn(&App) -> bool) {
    let mut last = Instant::now();
    while !done(app) {
        match worker.responses.recv_timeout(Duration::from_millis(100)) {
            Ok(r) => {
                app.apply(r);
                send(app, worker);
                last = Instant::now();
            }
            Err(_) => assert!(
                last.elapsed() < idle,
                "stuck at step {:?}: the worker is idle, the app still waits for {:?}",
                app.step(),
                app.pending
            ),
        }
    }
}

#[test]
fn stepping_faster_than_tsne_maps_are_made_never_leaves_a_step_computing() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::synth::evolving_run(dir.path(), 6);
    let store = Store::open(&path).unwrap();
    let mut app = App::new(path.clone(), store.catalog().clone());
    let worker = Worker::start(path, None).unwrap();
    // Generous: a t-SNE map of 400 points takes about a second, longer on a loaded machine.
    let idle = Duration::from_secs(60);
    app.update(Action::CycleMethod);
    send(&mut app, &worker);
    pump_until(&mut app, &worker, idle, |a| a.points().is_some());
    let last = app.step();
    // Left three times, then Right, without waiting: the maps of the steps passed over
    // are still queued or running when the next key arrives.
    for a in [
        Action::StepBy(-1),
        Action::StepBy(-1),
        Action::StepBy(-1),
        Action::StepBy(1),
    ] {
        app.update(a);
        send(&mut app, &worker);
    }
    assert_ne!(app.step(), last, "the keys moved the step");
    pump_until(&mut app, &worker, idle, |a| a.points().is_some());
}
