//! `#` in view 2 writes each class pair's number of images in its cell of the confusion
//! matrix, read back from the screen cell by cell through the view's own hit test.

mod common {
    pub mod runs;
    #[allow(dead_code)] // not every helper is used here
    pub mod viewer;
}

use std::collections::BTreeMap;

use common::viewer::{press, render, view_app};
use crossterm::event::KeyCode;
use deepscope::tui::app::App;
use deepscope::tui::views::{Target, hit};
use ratatui::layout::{Position, Rect};

/// The digits drawn in each matrix cell (display row, column), read left to right.
fn numbers_in_cells(app: &App, (w, h): (u16, u16)) -> BTreeMap<(usize, usize), String> {
    let terminal = render(app, w, h);
    let buf = terminal.backend().buffer();
    let mut found: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for y in 0..h {
        for x in 0..w {
            let s = buf[(x, y)].symbol();
            if !s.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if let Some(Target::MatrixCell(r, c)) =
                hit(app, Rect::new(0, 0, w, h), Position::new(x, y))
            {
                found.entry((r, c)).or_default().push_str(s);
            }
        }
    }
    found
}

#[test]
fn hash_writes_each_cell_s_count_in_the_confusion_matrix() {
    let (mut app, mut store) = view_app('2');
    let step = app.step().unwrap();
    let counts = app.cache.similarity[&step].confusion.clone().unwrap();
    let order = app.class_order();
    let count = |r: usize, c: usize| counts[[order[r], order[c]]];
    assert!(
        numbers_in_cells(&app, (160, 48)).is_empty(),
        "no counts until asked"
    );
    press(&mut app, &mut store, &[KeyCode::Char('#')]);
    let drawn = numbers_in_cells(&app, (160, 48));
    let k = order.len();
    let expected: BTreeMap<(usize, usize), String> = (0..k)
        .flat_map(|r| (0..k).map(move |c| (r, c)))
        .filter(|&(r, c)| count(r, c) > 0)
        .map(|(r, c)| ((r, c), count(r, c).to_string()))
        .collect();
    assert_eq!(drawn, expected);
    // On a small screen, every number written is its cell's.
    for ((r, c), n) in numbers_in_cells(&app, (80, 24)) {
        assert_eq!(n, count(r, c).to_string(), "({r}, {c})");
    }
    press(&mut app, &mut store, &[KeyCode::Char('#')]);
    assert!(numbers_in_cells(&app, (160, 48)).is_empty(), "toggled off");
}
