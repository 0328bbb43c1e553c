//! View 2's per-class table (`t`): its numbers, read off the screen, against the figures
//! computed independently from the sample's logits at several steps (the change column
//! included), its rows in the matrix's own class order, the cursor's row and its drill-down,
//! 80x24 and a run of 120 classes that scrolls.

mod common {
    pub mod class_figures;
    pub mod runs;
    #[allow(dead_code)] // not every helper is used here
    pub mod screen;
    #[allow(dead_code)] // not every helper is used here
    pub mod viewer;
}

use common::class_figures::{Figures, figures};
use common::screen::{cells, find};
use common::viewer::{open, press, render, text, view_app};
use crossterm::event::KeyCode;
use deepscope::tui::app::{App, Overlay};
use deepscope::tui::views::{Target, hit};
use deepscope::tui::{Message, settle};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::{Position, Rect};

/// The table's rows as drawn: (name, the row's words), top to bottom.
fn table_rows(terminal: &Terminal<TestBackend>, rows: usize) -> Vec<Vec<String>> {
    let header = find(terminal, "most confused with");
    let &(_, y) = header.first().expect("the table's header is drawn");
    let x = find(terminal, "class ")
        .into_iter()
        .find(|&(_, hy)| hy == y)
        .expect("the header starts with 'class'")
        .0;
    let width = terminal.backend().buffer().area.width - x - 1;
    (1..=rows as u16)
        .map(|i| {
            let line = cells(terminal, x, y + i, width);
            line.split_whitespace().map(String::from).collect()
        })
        .collect()
}

/// What the table should say for `f`, word by word.
fn expected_words(app: &App, f: &Figures) -> Vec<String> {
    let mut words = vec![
        app.class_name(f.class as u32),
        f.count.to_string(),
        f.recall.clone(),
        f.recall_change.clone(),
        f.precision.clone(),
        f.precision_change.clone(),
    ];
    match &f.confused {
        Some((c, n, d)) => {
            words.push(app.class_name(*c as u32));
            words.push(n.to_string());
            words.push(format!("({d})"));
        }
        None => words.push("-".into()),
    }
    words
}

#[test]
fn the_table_matches_an_independent_count_at_three_steps_in_the_matrix_order() {
    let (mut app, mut store) = view_app('2');
    press(&mut app, &mut store, &[KeyCode::Char('t')]);
    let order = app.class_order();
    assert_ne!(
        order,
        (0..10).collect::<Vec<_>>(),
        "a dendrogram order, not ids"
    );
    let steps: Vec<i64> = app.catalog.steps.iter().map(|s| s.step).collect();
    // The last step, one in the middle (with the change since the one before) and the
    // first (no change: "-").
    for (index, previous) in [(15, Some(14)), (6, Some(5)), (0, None)] {
        app.step_index = index;
        settle(&mut app, &mut store);
        let terminal = render(&app, 160, 48);
        let screen = text(&terminal);
        let expected = figures(&store, steps[index], previous.map(|p| steps[p]));
        let rows = table_rows(&terminal, 10);
        for (row, &class) in rows.iter().zip(&order) {
            assert_eq!(
                row,
                &expected_words(&app, &expected[class]),
                "step {}: class {class}\n{screen}",
                steps[index]
            );
        }
        let since = match previous {
            Some(p) => format!("Δ since step {}", steps[p]),
            None => "first step: no Δ".into(),
        };
        assert!(screen.contains(&since), "{screen}");
    }
}

#[test]
fn the_cursor_s_row_leads_to_its_commonest_confusion() {
    let (mut app, mut store) = view_app('2');
    press(&mut app, &mut store, &[KeyCode::Char('t'), KeyCode::Down]);
    let order = app.class_order();
    let class = order[1];
    let f = &figures(&store, 6000, Some(5000))[class];
    let (confused, n, _) = f
        .confused
        .clone()
        .expect("the sample's classes are confused");
    let col = order.iter().position(|&c| c == confused).unwrap();
    assert_eq!(app.matrix.cursor, (1, col));
    let screen = text(&render(&app, 160, 48));
    let words = format!(
        "{} → {}: {n} images, Enter: their pictures",
        app.class_name(class as u32),
        app.class_name(confused as u32)
    );
    assert!(screen.contains(&words), "{screen}");
    press(&mut app, &mut store, &[KeyCode::Enter]);
    assert_eq!(
        app.overlay,
        Some(Overlay::Cell {
            label: class as u32,
            predicted: confused as u32,
            selected: 0
        })
    );
}

#[test]
fn a_click_on_a_row_selects_its_class_and_a_second_opens_it() {
    let (mut app, mut store) = view_app('2');
    press(&mut app, &mut store, &[KeyCode::Char('t')]);
    let terminal = render(&app, 160, 48);
    let &(x, y) = find(&terminal, "most confused with").first().unwrap();
    let screen = Rect::new(0, 0, 160, 48);
    let spot = Position::new(x, y + 4);
    assert_eq!(hit(&app, screen, spot), Some(Target::ClassRow(3)));
    for _ in 0..2 {
        let target = hit(&app, screen, spot).unwrap();
        app.update(Message::Click(target));
        settle(&mut app, &mut store);
    }
    assert_eq!(app.matrix.cursor.0, 3);
    let label = app.class_order()[3] as u32;
    assert!(matches!(app.overlay, Some(Overlay::Cell { label: l, .. }) if l == label));
}

#[test]
fn at_80x24_the_table_takes_the_view_with_every_column() {
    let (mut app, mut store) = view_app('2');
    press(&mut app, &mut store, &[KeyCode::Char('t')]);
    let terminal = render(&app, 80, 24);
    let screen = text(&terminal);
    assert!(
        screen.contains("images recall     Δ  prec.     Δ  most confused with"),
        "{screen}"
    );
    let expected = figures(&store, 6000, Some(5000));
    let order = app.class_order();
    for (row, &class) in table_rows(&terminal, 10).iter().zip(&order) {
        assert_eq!(row, &expected_words(&app, &expected[class]), "{screen}");
    }
    // `t` again: the matrix is back.
    press(&mut app, &mut store, &[KeyCode::Char('t')]);
    assert!(!text(&render(&app, 80, 24)).contains("most confused with"));
}

#[test]
fn a_hundred_and_twenty_classes_scroll_with_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.sqlite");
    let params = deepscope::synth::SynthParams {
        images: 1200,
        classes: 120,
        dim: 8,
        steps: 2,
        superclasses: 6,
        seed: 5,
    };
    let mut w = deepscope::store::Writer::create(&path).unwrap();
    deepscope::synth::write(&params, &mut w, |_| {}).unwrap();
    w.finish().unwrap();
    let (mut app, mut store) = open(&path);
    settle(&mut app, &mut store);
    press(
        &mut app,
        &mut store,
        &[KeyCode::Char('2'), KeyCode::Char('t')],
    );
    let down = vec![KeyCode::Down; 100];
    press(&mut app, &mut store, &down);
    assert_eq!(app.matrix.cursor.0, 100);
    let terminal = render(&app, 80, 24);
    let name = app.class_name(app.class_order()[100] as u32);
    let first = app.class_name(app.class_order()[0] as u32);
    let rows = table_rows(&terminal, 17);
    let names: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.first().map(String::as_str))
        .collect();
    assert!(names.contains(&name.as_str()), "{names:?}");
    assert!(
        !names.contains(&first.as_str()),
        "scrolled past the first: {names:?}"
    );
    // The cursor's row is the highlighted one, and only it.
    let &(x, y) = find(&terminal, "most confused with").first().unwrap();
    let highlight =
        deepscope::tui::theme::Theme::new(deepscope::tui::theme::ColourMode::TrueColour)
            .highlight()
            .bg
            .unwrap();
    let buf = terminal.backend().buffer();
    let lit: Vec<&str> = (0..17u16)
        .filter(|&i| buf[(x, y + 1 + i)].bg == highlight)
        .map(|i| names[i as usize])
        .collect();
    assert_eq!(lit, [name.as_str()]);
}
