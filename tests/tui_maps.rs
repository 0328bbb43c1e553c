//! What the projection shows (issue: a map that shows what was learned): PCA on fixed axes
//! shared by every step, the first screen's switch to t-SNE, t-SNE maps that do not depend
//! on which step was looked at before, and marks that grow on sparse maps.

mod common {
    pub mod runs;
    pub mod synth;
    #[allow(dead_code)]
    pub mod viewer;
}

use common::synth::evolving_run;
use common::viewer::{lit_braille, open, press, render, text};

use assert_cmd::Command;
use crossterm::event::KeyCode;
use deepscope::analysis::Method;
use deepscope::tui::jobs::{Request, compute};
use deepscope::tui::keymap::Action;
use deepscope::tui::settle;
use ndarray::Array2;
use serde_json::Value;

/// `deepscope project RUN ARGS --json`.
fn project_json(run: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .arg("project")
        .arg(run)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn points(json: &Value) -> Vec<f32> {
    json["points"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
        })
        .collect()
}

#[test]
fn every_step_s_pca_map_is_drawn_on_the_last_step_s_axes_until_b() {
    let dir = tempfile::tempdir().unwrap();
    let run = evolving_run(dir.path(), 4);
    let (mut app, mut store) = open(&run);
    settle(&mut app, &mut store);
    let last = app.step().unwrap();
    press(&mut app, &mut store, &[KeyCode::Home]);
    let first = app.step().unwrap();
    assert_ne!(first, last);
    let screen = text(&render(&app, 120, 30));
    assert!(
        screen.contains(&format!("on the axes of step {last}")),
        "{screen}"
    );
    // The first step on the last step's axes: what `project --axes-from` prints, which
    // differs from the step's own PCA.
    let shown: Vec<f32> = app.points().unwrap().iter().copied().collect();
    let step = first.to_string();
    let fixed = project_json(&run, &["--step", &step, "--axes-from", &last.to_string()]);
    assert_eq!(shown, points(&fixed));
    assert_eq!(fixed["axes_from"].as_i64(), Some(last));
    let own = project_json(&run, &["--step", &step]);
    assert_ne!(shown, points(&own));

    press(&mut app, &mut store, &[KeyCode::Char('b')]);
    let screen = text(&render(&app, 120, 30));
    assert!(screen.contains("on each step's own axes"), "{screen}");
    assert_eq!(
        app.points().unwrap().iter().copied().collect::<Vec<_>>(),
        points(&own),
        "the first map drawn on its own axes has nothing to be aligned to"
    );
    press(&mut app, &mut store, &[KeyCode::Char('b')]);
    assert_eq!(
        app.points().unwrap().iter().copied().collect::<Vec<_>>(),
        shown
    );
}

#[test]
fn axes_from_is_refused_for_tsne() {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(["project", "--method", "tsne", "--axes-from", "0"])
        .arg(common::runs::sample())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--axes-from applies to PCA maps only"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn the_first_screen_turns_to_t_sne_once_its_map_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let run = evolving_run(dir.path(), 3);
    let (mut app, mut store) = open(&run);
    app.projection.first_tsne = true;
    let requests = app.requests();
    let methods: Vec<Method> = requests
        .iter()
        .filter_map(|r| match r {
            Request::Projection { method, .. } => Some(*method),
            _ => None,
        })
        .collect();
    assert!(methods.contains(&Method::Tsne), "{methods:?}");
    for r in requests {
        app.apply(compute(&mut store, r, None, &mut |_| {}));
    }
    settle(&mut app, &mut store);
    assert_eq!(app.projection.method, Method::Tsne);
    let screen = text(&render(&app, 120, 30));
    assert!(screen.contains("t-SNE of features"), "{screen}");

    // A user who moved before the map arrived keeps PCA.
    let (mut app, mut store) = open(&run);
    app.projection.first_tsne = true;
    let requests = app.requests();
    app.update(Action::StepBy(-1));
    for r in requests {
        app.apply(compute(&mut store, r, None, &mut |_| {}));
    }
    settle(&mut app, &mut store);
    assert_eq!(app.projection.method, Method::Pca);
}

/// The t-SNE map of the first step and its KL, after looking at `before` first.
fn first_step_tsne(run: &std::path::Path, before: &[KeyCode]) -> (Array2<f32>, f64) {
    let (mut app, mut store) = open(run);
    press(&mut app, &mut store, &[KeyCode::Char('m')]);
    press(&mut app, &mut store, before);
    press(&mut app, &mut store, &[KeyCode::Home]);
    let kl = app.map_summary().unwrap().kl.unwrap();
    (app.points().unwrap().as_ref().clone(), kl)
}

#[test]
fn a_step_s_t_sne_map_does_not_depend_on_the_step_seen_before() {
    let dir = tempfile::tempdir().unwrap();
    let run = evolving_run(dir.path(), 4);
    // Straight to the first step, or after the trained last step's map (the viewer opens
    // there): the same map up to a turn, so the same KL.
    let (fresh, fresh_kl) = first_step_tsne(&run, &[]);
    let (after, after_kl) = first_step_tsne(&run, &[KeyCode::End, KeyCode::Left]);
    assert_eq!(fresh_kl, after_kl);
    let spread = |p: &Array2<f32>| {
        let c = p - &p.mean_axis(ndarray::Axis(0)).unwrap();
        c.iter().map(|v| v * v).sum::<f32>()
    };
    assert!((spread(&fresh) - spread(&after)).abs() <= 1e-3 * spread(&fresh));
}

/// Braille dots set in the map's area of a rendered screen.
fn dots(screen: &ratatui::buffer::Buffer) -> u32 {
    screen
        .content()
        .iter()
        .filter_map(|c| c.symbol().chars().next())
        .filter(|c| ('\u{2801}'..='\u{28FF}').contains(c))
        .map(|c| (c as u32 - 0x2800).count_ones())
        .sum()
}

#[test]
fn a_sparse_map_draws_each_image_larger_than_a_dot() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, mut store) = open(&evolving_run(dir.path(), 2));
    settle(&mut app, &mut store);
    let terminal = render(&app, 160, 48);
    // 400 images on a canvas of about 30,000 dots: marks of 2 x 2 dots (overlaps and the
    // canvas edge take some).
    let drawn = dots(terminal.backend().buffer());
    assert!(drawn > 2 * 400, "{drawn} dots for 400 images");
    // A tiny screen has room for single dots only.
    let terminal = render(&app, 40, 12);
    let drawn = dots(terminal.backend().buffer());
    assert!(drawn <= 400, "{drawn} dots for 400 images");
}

#[test]
fn another_step_s_t_sne_map_shown_while_computing_is_greyed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, mut store) = open(&evolving_run(dir.path(), 3));
    press(&mut app, &mut store, &[KeyCode::Char('m')]);
    assert!(lit_braille(&render(&app, 120, 30)) > 0);
    // The step changes; its map is not made yet (no settle): the last step's stands in.
    app.update(Action::StepBy(-1));
    let screen = render(&app, 120, 30);
    assert!(text(&screen).contains("nearest step's map"));
    assert_eq!(lit_braille(&screen), 0);
    settle(&mut app, &mut store);
    assert!(lit_braille(&render(&app, 120, 30)) > 0);
}

#[test]
fn the_neighbouring_step_s_pca_map_is_ready_before_the_step_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, mut store) = open(&evolving_run(dir.path(), 4));
    settle(&mut app, &mut store);
    // Opened on the last step: the previous one's map was made once the shown one was.
    app.update(Action::StepBy(-1));
    assert!(app.points().is_some(), "no map ready for the previous step");
    // And from there, both neighbours' (one was shown already).
    settle(&mut app, &mut store);
    app.update(Action::StepBy(-1));
    assert!(app.points().is_some());
    // t-SNE maps take seconds each: not made ahead.
    press(&mut app, &mut store, &[KeyCode::Char('m')]);
    app.update(Action::StepBy(-1));
    assert!(app.points().is_none());
}
