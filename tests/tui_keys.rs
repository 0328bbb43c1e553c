//! Every control does what it says, key by key on the sample run (jobs run synchronously):
//! highlights toggle, filters start from the selected mistake, the matrix's arrows move its
//! cursor, colouring by cluster computes the clusters, search offers classes and images
//! together and shows the choice in every view, and at 80x24 the footer keeps the way to
//! help and out while help scrolls to its last key.

mod common {
    pub mod runs;
    pub mod viewer;
}

use common::viewer::{press, render, text, view_app};
use crossterm::event::KeyCode;
use deepscope::tui::app::{ColourBy, View};

#[test]
fn the_highlight_keys_toggle() {
    let (mut app, mut store) = view_app('1');
    press(&mut app, &mut store, &[KeyCode::Char('w')]);
    assert!(app.projection.cursor.is_some());
    for key in ['f', 'p'] {
        press(&mut app, &mut store, &[KeyCode::Char(key)]);
        assert!(app.projection.focus.is_some(), "{key} highlights");
        press(&mut app, &mut store, &[KeyCode::Char(key)]);
        assert_eq!(app.projection.focus, None, "{key} again clears it");
    }
}

#[test]
fn the_class_filters_start_from_the_selected_mistake() {
    let (mut app, mut store) = view_app('3');
    // A mistake whose classes are not 0, so that starting at class 0 shows.
    let list = app.visible_mistakes();
    let at = list
        .iter()
        .position(|m| m.label > 0 && m.predicted > 0)
        .unwrap();
    let chosen = list[at];
    app.mis.selected = at;
    press(&mut app, &mut store, &[KeyCode::Char('t')]);
    assert_eq!(app.mis.filter_label, Some(chosen.label));
    press(&mut app, &mut store, &[KeyCode::Char('x')]);
    app.mis.selected = at;
    press(&mut app, &mut store, &[KeyCode::Char('p')]);
    assert_eq!(app.mis.filter_predicted, Some(chosen.predicted));
}

#[test]
fn the_matrix_arrows_move_the_column_and_h_l_the_step() {
    let (mut app, mut store) = view_app('2');
    let step = app.step_index;
    press(
        &mut app,
        &mut store,
        &[KeyCode::Right, KeyCode::Right, KeyCode::Left],
    );
    assert_eq!((app.matrix.cursor, app.step_index), ((0, 1), step));
    press(&mut app, &mut store, &[KeyCode::Char('h')]);
    assert_eq!(app.step_index, step - 1);
    let help = {
        press(&mut app, &mut store, &[KeyCode::Char('?')]);
        text(&render(&app, 160, 48))
    };
    assert!(help.contains("matrix: ← → move the cursor"), "{help}");
}

#[test]
fn colouring_by_cluster_computes_the_clusters_without_visiting_view_4() {
    let (mut app, mut store) = view_app('1');
    press(&mut app, &mut store, &[KeyCode::Char('c'); 3]);
    assert_eq!(app.projection.colour_by, ColourBy::Cluster);
    assert_eq!(app.view, View::Projection);
    assert!(app.current_clusters().is_some());
    let shown = text(&render(&app, 160, 48));
    assert!(shown.contains("k = 30"), "{shown}");
    assert!(!shown.contains("computing"), "{shown}");
}

#[test]
fn at_80x24_the_footer_keeps_help_and_quit_and_help_scrolls_to_its_end() {
    let (mut app, mut store) = view_app('1');
    for view in ['1', '2', '3', '4'] {
        press(&mut app, &mut store, &[KeyCode::Char(view)]);
        let screen = text(&render(&app, 80, 24));
        let footer = screen.lines().last().unwrap().to_string();
        assert!(footer.contains("? help  q quit"), "view {view}: {footer}");
    }
    press(&mut app, &mut store, &[KeyCode::Char('?')]);
    let first = text(&render(&app, 80, 24));
    assert!(first.contains("↑↓ scroll"), "{first}");
    assert!(!first.contains("q Ctrl-C"), "{first}");
    press(&mut app, &mut store, &[KeyCode::Down; 40]);
    let last = text(&render(&app, 80, 24));
    assert!(last.contains("q Ctrl-C"), "{last}");
}

#[test]
fn search_offers_the_class_and_the_image_and_shows_the_choice_in_every_view() {
    let (mut app, mut store) = view_app('2');
    assert_eq!(app.catalog.classes[7], "7");
    press(
        &mut app,
        &mut store,
        &[KeyCode::Char('/'), KeyCode::Char('7')],
    );
    let shown = text(&render(&app, 120, 36));
    assert!(shown.contains("class 7"), "{shown}");
    assert!(shown.contains("image 7 (class"), "{shown}");
    assert_eq!(shown.matches("image 7 (class").count(), 1, "once: {shown}");
    // The class first: Enter puts the matrix cursor on its diagonal cell.
    press(&mut app, &mut store, &[KeyCode::Enter]);
    let at = app.class_order().iter().position(|&c| c == 7).unwrap();
    assert_eq!(app.matrix.cursor, (at, at));
    assert_eq!(app.mis.filter_label, Some(7));
    // The image, one down: its (true, predicted) cell and the projection cursor.
    let keys = [
        KeyCode::Char('/'),
        KeyCode::Char('7'),
        KeyCode::Down,
        KeyCode::Enter,
    ];
    press(&mut app, &mut store, &keys);
    assert_eq!(app.projection.cursor, Some(7));
    let label = app.catalog.labels[7] as usize;
    let predicted = app.scores().unwrap().predictions[7].class as usize;
    let order = app.class_order();
    let pos = |c: usize| order.iter().position(|&x| x == c).unwrap();
    assert_eq!(app.matrix.cursor, (pos(label), pos(predicted)));
    // In the clusters view, the image's cluster is selected.
    press(&mut app, &mut store, &[KeyCode::Char('4')]);
    let keys = [
        KeyCode::Char('/'),
        KeyCode::Char('7'),
        KeyCode::Down,
        KeyCode::Enter,
    ];
    press(&mut app, &mut store, &keys);
    let cluster = app.current_clusters().unwrap().assignment[7] as usize;
    assert_eq!(app.cluster_selected, cluster);
}

#[test]
fn the_accuracy_line_is_labelled_and_marks_the_last_step() {
    let (app, _store) = view_app('1');
    let terminal = render(&app, 120, 36);
    let screen = text(&terminal);
    let row = screen.lines().nth(1).unwrap();
    assert!(row.contains("acc ▁"), "{row}");
    // The last step's bar (a full one on the sample) is drawn in the accent colour, not
    // reversed, where it would show as an empty cell.
    let buf = terminal.backend().buffer();
    let last = (0..buf.area.width)
        .rev()
        .find(|&x| buf[(x, 1)].symbol() != " ")
        .unwrap();
    let cell = &buf[(last, 1)];
    assert_eq!(cell.symbol(), "█");
    assert!(!cell.modifier.contains(ratatui::style::Modifier::REVERSED));
    let other = &buf[(last - 1, 1)];
    assert_ne!(cell.fg, other.fg, "the current step stands out");
}

#[test]
fn the_footer_names_only_work_the_screen_waits_for() {
    use deepscope::analysis::Method;
    use deepscope::tui::jobs::JobKey;
    let (mut app, _store) = view_app('1');
    let step = app.step().unwrap();
    // The once-a-second look for new steps, and a t-SNE run left behind by `m`.
    app.pending.insert(JobKey::Refresh);
    let other = if app.projection.method == Method::Pca {
        Method::Tsne
    } else {
        Method::Pca
    };
    app.pending
        .insert(JobKey::Projection(step, app.layer.clone(), other));
    fn footer(app: &deepscope::tui::app::App) -> String {
        text(&render(app, 160, 48))
            .lines()
            .last()
            .unwrap()
            .to_string()
    }
    assert!(!footer(&app).contains("computing"), "{}", footer(&app));
    // The map on screen being made is named.
    let shown = JobKey::Projection(step, app.layer.clone(), app.projection.method);
    app.pending.insert(shown);
    assert!(
        footer(&app).contains("computing projection"),
        "{}",
        footer(&app)
    );
}
