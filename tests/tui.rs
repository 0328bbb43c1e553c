//! The terminal UI on a TestBackend: every view snapshotted at 80x24 and 160x48 on the
//! sample run, scripted key sequences through the real update loop (jobs run
//! synchronously), and tiny screens and degenerate runs drawn without panics. The matrix's
//! colours and layout: tests/tui_matrix.rs.

mod common {
    pub mod runs;
    pub mod synth;
    pub mod viewer;
}

use common::runs::sample;
use common::viewer::{open, press, render, text, view_app};

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deepscope::analysis::Method;
use deepscope::model::LayerKind;
use deepscope::store::{Store, Writer};
use deepscope::tui::app::{App, MisFocus, Overlay, View};
use deepscope::tui::jobs::{Request, compute};
use deepscope::tui::keymap::{Action, action};
use deepscope::tui::settle;
use ndarray::Array2;

macro_rules! snapshot_view {
    ($name:ident, $key:expr) => {
        #[test]
        fn $name() {
            let (app, _store) = view_app($key);
            for (w, h) in [(80, 24), (160, 48)] {
                insta::assert_snapshot!(
                    format!("{}_{w}x{h}", stringify!($name)),
                    text(&render(&app, w, h))
                );
            }
        }
    };
}

snapshot_view!(projection_view, '1');
snapshot_view!(similarity_view, '2');
snapshot_view!(misclassified_view, '3');
snapshot_view!(clusters_view, '4');
snapshot_view!(suspects_view, '5');
snapshot_view!(help_overlay, '?');

#[test]
fn stepping_back_changes_the_step_and_the_layout() {
    let (mut app, mut store) = open(&sample());
    settle(&mut app, &mut store);
    let last = app.points().unwrap().clone();
    assert!(text(&render(&app, 120, 30)).contains("step 6000 (16/16)"));
    press(&mut app, &mut store, &[KeyCode::Left, KeyCode::Left]);
    let screen = text(&render(&app, 120, 30));
    assert!(screen.contains("step 4000 (14/16)"), "{screen}");
    assert_ne!(
        **app.points().unwrap(),
        *last,
        "another step, another layout"
    );
    press(&mut app, &mut store, &[KeyCode::Home]);
    assert!(text(&render(&app, 120, 30)).contains("step 0 (1/16)"));
    press(&mut app, &mut store, &[KeyCode::End]);
    assert_eq!(app.step_index, 15);
}

#[test]
fn a_matrix_cell_lists_its_images_and_drills_down_to_the_projection() {
    let (mut app, mut store) = view_app('2');
    // Put the cursor on row 4 and column 9 of the display order.
    let order = app.class_order();
    let (r, c) = (
        order.iter().position(|&x| x == 4).unwrap(),
        order.iter().position(|&x| x == 9).unwrap(),
    );
    app.matrix.cursor = (r, c);
    press(&mut app, &mut store, &[KeyCode::Enter]);
    assert!(matches!(
        app.overlay,
        Some(Overlay::Cell {
            label: 4,
            predicted: 9,
            ..
        })
    ));
    let screen = text(&render(&app, 120, 36));
    assert!(screen.contains("true 4 → predicted 9"), "{screen}");
    let first = app.cell_images_selected().unwrap();
    press(&mut app, &mut store, &[KeyCode::Enter]);
    assert_eq!(
        (app.view, app.projection.cursor),
        (View::Projection, Some(first))
    );
}

#[test]
fn selecting_a_neighbour_shows_it() {
    let (mut app, mut store) = view_app('3');
    let wrong = app.mis_selected_image().unwrap();
    let screen = text(&render(&app, 160, 48));
    assert!(screen.contains(&format!("image {wrong}")));
    assert!(screen.contains("(pred.)") && screen.contains("(true)"));
    press(&mut app, &mut store, &[KeyCode::Char('n'), KeyCode::Down]);
    assert_eq!(app.mis.focus, MisFocus::Neighbours(0));
    let neighbour = app.mis_image().unwrap();
    assert_ne!(neighbour, wrong);
    let lists = app.neighbour_lists(wrong).unwrap();
    assert_eq!(
        neighbour, lists[0].1[1].image,
        "the second nearest of the predicted class"
    );
    assert!(text(&render(&app, 160, 48)).contains(&format!("neighbour {neighbour}")));
    assert!(
        app.cache
            .thumbnails
            .get(&neighbour)
            .is_some_and(|t| t.is_some()),
        "its preview was loaded"
    );
}

#[test]
fn filters_search_and_colour_modes() {
    let (mut app, mut store) = view_app('3');
    // The filter starts at the selected mistake's class, and moves on from there.
    let first = app.visible_mistakes()[0].label;
    press(
        &mut app,
        &mut store,
        &[KeyCode::Char('t'), KeyCode::Char('t')],
    );
    assert_eq!(app.mis.filter_label, Some(first + 1));
    assert!(app.visible_mistakes().iter().all(|m| m.label == first + 1));
    press(
        &mut app,
        &mut store,
        &[
            KeyCode::Char('x'),
            KeyCode::Char('/'),
            KeyCode::Char('4'),
            KeyCode::Char('2'),
            KeyCode::Enter,
        ],
    );
    assert_eq!(app.projection.cursor, Some(42));
    press(
        &mut app,
        &mut store,
        &[
            KeyCode::Char('1'),
            KeyCode::Char('c'),
            KeyCode::Char('c'),
            KeyCode::Char('f'),
        ],
    );
    let screen = text(&render(&app, 120, 36));
    assert!(screen.contains("colour: correct / wrong"), "{screen}");
    assert!(
        screen.contains(&format!("highlight: {}", app.catalog.labels[42])),
        "{screen}"
    );
}

#[test]
fn tiny_terminals_get_a_message() {
    let (app, _store) = view_app('2');
    assert!(text(&render(&app, 20, 5)).contains("too small"));
    render(&app, 1, 1);
    render(&app, 40, 10);
}

/// A run with `k` classes, `n` images, features of `dim` and two steps.
fn synthetic(dir: &Path, k: usize, n: usize, dim: usize) -> PathBuf {
    let path = dir.join(format!("k{k}.sqlite"));
    let mut w = Writer::create(&path).unwrap();
    let names: Vec<String> = (0..k).map(|c| format!("class\u{1b}[31m{c}")).collect();
    w.add_classes(&names).unwrap();
    let labels: Vec<u32> = (0..n).map(|i| (i % k) as u32).collect();
    w.add_images(&labels, None, None).unwrap();
    w.add_layer("feat", dim, LayerKind::Features).unwrap();
    w.add_layer("logits", k, LayerKind::Logits).unwrap();
    for step in [0, 1] {
        let feat = Array2::from_shape_fn((n, dim), |(i, j)| ((i * 7 + j * 13 + step) % 17) as f32);
        let logits = Array2::from_shape_fn((n, k), |(i, j)| ((i + j * 3 + step) % 5) as f32);
        w.add_step(
            step as i64,
            None,
            None,
            &[("feat", feat.view()), ("logits", logits.view())],
        )
        .unwrap();
    }
    w.finish().unwrap();
    path
}

#[test]
fn degenerate_runs_render_every_view() {
    let dir = tempfile::tempdir().unwrap();
    for (k, n, dim) in [(1, 5, 3), (1000, 1200, 4), (3, 1, 1)] {
        let path = synthetic(dir.path(), k, n, dim);
        let (mut app, mut store) = open(&path);
        for key in ['1', '2', '3', '4'] {
            press(
                &mut app,
                &mut store,
                &[
                    KeyCode::Char(key),
                    KeyCode::Down,
                    KeyCode::Char('d'),
                    KeyCode::Enter,
                ],
            );
            // Drawn without a panic at both sizes. (Escaping is tested on the raw bytes the
            // binary writes, tests/e2e_terminal.rs: ratatui drops control characters itself.)
            for (w, h) in [(80, 24), (160, 48)] {
                assert!(!text(&render(&app, w, h)).is_empty());
            }
            app.overlay = None;
        }
    }
}

#[test]
fn pan_moves_the_map_s_centre_and_zoom_centres_on_the_cursor() {
    let (mut app, mut store) = view_app('1');
    app.projection.cursor = Some(7);
    press(&mut app, &mut store, &[KeyCode::Char('+')]);
    let points = app.points().unwrap();
    assert_eq!(
        app.projection.centre,
        Some((points[[7, 0]], points[[7, 1]]))
    );
    let centre = app.projection.centre.unwrap();
    press(&mut app, &mut store, &[KeyCode::Char('D')]);
    assert!(app.projection.centre.unwrap().0 > centre.0);
}

/// A synthetic run whose features grow into class clusters over 4 steps.
fn evolving_run(dir: &Path) -> PathBuf {
    common::synth::evolving_run(dir, 4)
}

/// The projection among the app's next requests. All of them are answered, as the worker
/// would, so none is left pending.
fn projection_request(app: &mut App, store: &mut Store) -> Option<Request> {
    let requests = app.requests();
    let projection = requests
        .iter()
        .find(|r| matches!(r, Request::Projection { .. }))
        .cloned();
    for r in requests {
        app.apply(compute(store, r, None, &mut |_| {}));
    }
    projection
}

#[test]
fn m_cycles_pca_tsne_umap_and_the_map_is_drawn_with_its_kl() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, mut store) = open(&evolving_run(dir.path()));
    settle(&mut app, &mut store);
    let screen = text(&render(&app, 120, 30));
    assert!(screen.contains("PCA of features"), "{screen}");
    assert!(screen.contains("variance"));

    press(&mut app, &mut store, &[KeyCode::Char('m')]);
    assert_eq!(app.projection.method, Method::Tsne);
    let screen = text(&render(&app, 120, 30));
    assert!(screen.contains("t-SNE of features"), "{screen}");
    assert!(!screen.contains("computing"), "{screen}");
    let kl_line = screen
        .lines()
        .find(|l| l.contains("KL "))
        .expect("KL shown");
    assert!(!kl_line.contains("cached"), "no cache in tests: {kl_line}");
    let points = app.points().expect("t-SNE map computed").clone();
    assert_eq!(points.dim(), (400, 2));
    assert!(points.iter().all(|v| v.is_finite()));
    // Its own map, not the PCA one.
    let pca = &app.cache.projections[&(app.step().unwrap(), "features".into(), Method::Pca)];
    assert_ne!(pca, &points);

    press(&mut app, &mut store, &[KeyCode::Char('m')]);
    assert_eq!(app.projection.method, Method::Umap);
    assert!(text(&render(&app, 120, 30)).contains("UMAP of features"));
    press(&mut app, &mut store, &[KeyCode::Char('m')]);
    assert_eq!(app.projection.method, Method::Pca);
}

#[test]
fn a_step_s_tsne_map_starts_from_its_neighbour_and_stays_aligned() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, mut store) = open(&evolving_run(dir.path()));
    press(&mut app, &mut store, &[KeyCode::Char('m')]);
    let last = app.step().unwrap();
    let last_map = app.points().unwrap().clone();

    app.update(Action::StepBy(-1));
    match projection_request(&mut app, &mut store) {
        Some(Request::Projection {
            method,
            reference: Some((from, start)),
            fresh: false,
            ..
        }) => {
            assert_eq!(method, Method::Tsne);
            assert_eq!(from, last);
            assert_eq!(start, last_map);
        }
        other => panic!("expected a t-SNE request from the last step's map, got {other:?}"),
    }
    settle(&mut app, &mut store);
    let previous = app.points().unwrap();
    // Points moved, the map did not turn over: the mean move is small against the spread.
    let spread = last_map.std_axis(ndarray::Axis(0), 0.0).sum();
    let moved = (&**previous - &*last_map)
        .rows()
        .into_iter()
        .map(|r| r.dot(&r).sqrt())
        .sum::<f32>()
        / 400.0;
    assert!(
        moved < 0.5 * spread,
        "moved {moved} against spread {spread}"
    );
}

#[test]
fn capital_r_recomputes_the_map_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, mut store) = open(&evolving_run(dir.path()));
    press(&mut app, &mut store, &[KeyCode::Char('m'), KeyCode::Left]);
    assert!(app.points().is_some());
    let key = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::NONE);
    app.update(action(key, app.view, app.overlay).unwrap());
    assert!(app.points().is_none(), "the old map is dropped");
    match projection_request(&mut app, &mut store) {
        Some(Request::Projection {
            reference: None,
            fresh: true,
            ..
        }) => {}
        other => panic!("expected a fresh request, got {other:?}"),
    }
    settle(&mut app, &mut store);
    assert!(app.points().is_some());
    assert!(!app.projection.fresh, "only that one map is made afresh");
}

#[test]
fn a_chosen_neighbour_shows_its_own_history() {
    let (mut app, mut store) = view_app('3');
    press(&mut app, &mut store, &[KeyCode::Char('n'), KeyCode::Down]);
    let shown = app.mis_image().unwrap();
    assert_ne!(
        Some(shown),
        app.mis_selected_image(),
        "a neighbour is shown"
    );
    assert!(app.cache.histories.contains_key(&shown));
    let screen = text(&render(&app, 160, 48));
    assert!(!screen.contains("history: computing"), "{screen}");
}

#[test]
fn a_tsne_map_of_few_images_says_its_perplexity_was_lowered() {
    let dir = tempfile::tempdir().unwrap();
    let path = synthetic(dir.path(), 3, 40, 4);
    let (mut app, mut store) = open(&path);
    press(&mut app, &mut store, &[KeyCode::Char('m')]);
    let screen = text(&render(&app, 120, 30));
    // 40 images allow a perplexity of (40 - 1) / 3 = 13 at most, not the default 30.
    assert!(screen.contains("perplexity 13.0: lowered"), "{screen}");
    assert!(app.points().unwrap().iter().all(|v| v.is_finite()));
}
