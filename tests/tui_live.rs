//! A run still being written, seen by the viewer's state on a TestBackend while a real
//! writer appends: a viewer opened before the first step takes the layers logged with it,
//! the accuracy line fills in for steps that arrive while it is open, and "following" shows
//! only while steps arrive. Jobs run synchronously on two stores, as the worker's threads
//! do: the timer's refresh on one, every other job on the other.

mod common {
    pub mod runs;
    #[allow(dead_code)] // draws only: the jobs are run by `Viewer` here
    pub mod viewer;
}

use std::path::Path;

use common::viewer::{render, text};
use deepscope::model::LayerKind;
use deepscope::store::{Store, Writer};
use deepscope::tui::app::App;
use deepscope::tui::jobs::{Request, compute};
use deepscope::tui::settle;
use ndarray::Array2;

const IMAGES: usize = 30;

/// A run with classes and images and nothing else yet, as a logger leaves it before the
/// first step.
fn started(path: &Path) -> Writer {
    let mut w = Writer::create(path).unwrap();
    w.add_classes(&["a", "b", "c"]).unwrap();
    let labels: Vec<u32> = (0..IMAGES as u32).map(|i| i % 3).collect();
    w.add_images(&labels, None, None).unwrap();
    w
}

fn add_layers(w: &mut Writer) {
    w.add_layer("feat", 4, LayerKind::Features).unwrap();
    w.add_layer("logits", 3, LayerKind::Logits).unwrap();
}

/// Logs `step`: 1/3 of the images right at step 0, all of them later.
fn log_step(w: &mut Writer, step: i64) {
    let feat = Array2::from_shape_fn((IMAGES, 4), |(i, j)| ((i * 4 + j) as f32 * 0.3).sin());
    let logits = Array2::from_shape_fn((IMAGES, 3), |(i, j)| {
        let right = i % 3 == j;
        if step == 0 {
            f32::from(j == 0)
        } else {
            f32::from(right) * step as f32 / 100.0
        }
    });
    let layers = [("feat", feat.view()), ("logits", logits.view())];
    w.add_step(step, None, None, &layers).unwrap();
}

/// The viewer's state and its two stores: `timer` takes the once-a-second refresh,
/// `other` every other job.
struct Viewer {
    app: App,
    timer: Store,
    other: Store,
}

impl Viewer {
    fn open(path: &Path) -> Viewer {
        let timer = Store::open(path).unwrap();
        let other = Store::open(path).unwrap();
        let app = App::new(path.to_path_buf(), timer.catalog().clone());
        let mut v = Viewer { app, timer, other };
        settle(&mut v.app, &mut v.other);
        v
    }

    /// What the run loop does each second, then the jobs that follow from it.
    fn tick(&mut self) {
        let r = compute(&mut self.timer, Request::Refresh, None, &mut |_| {});
        self.app.apply(r);
        settle(&mut self.app, &mut self.other);
    }

    /// The header's two rows.
    fn header(&self) -> String {
        text(&render(&self.app, 120, 30))
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[test]
fn a_viewer_opened_before_the_first_step_takes_the_layers_logged_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    let mut w = started(&path);
    let mut v = Viewer::open(&path);
    assert!(v.header().contains("no steps yet"), "{}", v.header());

    add_layers(&mut w);
    log_step(&mut w, 0);
    v.tick();
    assert_eq!(v.app.status, None);
    assert_eq!(v.app.step(), Some(0));
    assert_eq!(v.app.layer, "feat");
    assert!(
        v.app.scores().is_some(),
        "the step's predictions were computed"
    );
    assert!(v.app.points().is_some(), "the step's map was computed");
    assert!(v.header().contains("step 0 (1/1)"), "{}", v.header());
    log_step(&mut w, 100);
    v.tick();
    assert!(v.header().contains("step 100 (2/2)"), "{}", v.header());
    drop(v);
    w.finish().unwrap();
}

#[test]
fn the_accuracy_line_fills_in_for_steps_that_arrive_while_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    let mut w = started(&path);
    add_layers(&mut w);
    log_step(&mut w, 0);
    let mut v = Viewer::open(&path);
    assert_eq!(v.app.cache.accuracies.as_ref().map(Vec::len), Some(1));

    for step in [100, 200] {
        log_step(&mut w, step);
        v.tick();
    }
    let acc = v.app.cache.accuracies.clone().unwrap();
    assert_eq!(acc.iter().map(|a| a.0).collect::<Vec<_>>(), [0, 100, 200]);
    assert!((acc[2].1 - 1.0).abs() < 1e-9, "{acc:?}");
    // One bar per step, none left as a dot: 1/3 right at step 0, all later.
    assert!(v.header().contains("▃██"), "{}", v.header());
    drop(v);
    w.finish().unwrap();
}

#[test]
fn following_shows_only_while_steps_arrive() {
    let finished = Viewer::open(&common::runs::sample());
    assert!(finished.app.follow);
    assert!(
        !finished.header().contains("following"),
        "{}",
        finished.header()
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    let mut w = started(&path);
    add_layers(&mut w);
    log_step(&mut w, 0);
    let mut v = Viewer::open(&path);
    assert!(!v.header().contains("following"), "{}", v.header());
    log_step(&mut w, 100);
    v.tick();
    assert!(v.header().contains("step 100 (2/2)"), "{}", v.header());
    assert!(v.header().contains("following"), "{}", v.header());
    drop(v);
    w.finish().unwrap();
}
