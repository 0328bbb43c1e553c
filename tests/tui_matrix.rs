//! View 2 on a TestBackend: the matrix's colours span its off-diagonal values (the diagonal
//! apart, a ramp of its own in 256 colours), its cells fill the panel, and a run with more
//! classes than cells shows whole as block means, with zoom in and out.

mod common {
    pub mod runs;
    pub mod viewer;
}

use common::viewer::{open, press, render, text, view_app};

use crossterm::event::KeyCode;
use deepscope::store::Writer;
use deepscope::tui::graphics::Graphics;
use deepscope::tui::theme::{ColourMode, Theme};
use deepscope::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

#[test]
fn matrix_colours_span_the_off_diagonal_values_with_the_diagonal_apart() {
    let (app, _store) = view_app('2');
    let terminal = render(&app, 160, 48);
    let cells = logit_panel_cells(terminal.backend().buffer());
    // The scale spans the off-diagonal values: the largest (7-9, 0.287) is viridis'
    // brightest yellow, unrelated digits (0) its darkest purple; the diagonal is a grey
    // apart from the scale.
    assert!(cells.iter().any(|c| c.fg == Color::Rgb(253, 231, 37)));
    assert!(cells.iter().any(|c| c.fg == Color::Rgb(68, 1, 84)));
    assert!(cells.iter().any(|c| c.fg == Color::Rgb(88, 88, 88)));
    let mut levels: Vec<Color> = cells.iter().map(|c| c.fg).collect();
    levels.sort_by_key(|c| format!("{c:?}"));
    levels.dedup();
    assert!(levels.len() >= 10, "{} colours", levels.len());
    let screen = text(&terminal);
    assert!(screen.contains("logit correlation"));
    assert!(screen.contains("confusion (rows: true class)"));
    // Each panel's scale with its numbers, and the diagonal's colour.
    assert!(screen.contains("0.287 ■ diagonal"), "{screen}");
    assert!(screen.contains("0.000 "), "{screen}");
}

/// The matrix cells of the left panel (the logit correlation) at 160x48: the confusion
/// matrix beside it starts at column 66.
fn logit_panel_cells(buf: &ratatui::buffer::Buffer) -> Vec<ratatui::buffer::Cell> {
    (0..48)
        .flat_map(|y| (0..66).map(move |x| (x, y)))
        .map(|(x, y)| buf[(x, y)].clone())
        .filter(|c| c.symbol() == "▀")
        .collect()
}

#[test]
fn the_matrix_in_256_colours_has_many_levels() {
    let (app, _store) = view_app('2');
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let theme = Theme::new(ColourMode::Indexed);
    terminal
        .draw(|f| views::draw(f, &app, &theme, &mut Graphics::none()))
        .unwrap();
    let mut levels: Vec<u8> = logit_panel_cells(terminal.backend().buffer())
        .iter()
        .filter_map(|c| match c.fg {
            Color::Indexed(i) => Some(i),
            _ => None,
        })
        .collect();
    levels.sort();
    levels.dedup();
    // 45 off-diagonal pairs between 0 and 0.287: at least ten levels of the ramp, and the
    // diagonal's grey (viridis mapped to the nearest palette entry gives eight here, and
    // two when the scale ran 0 to 1).
    assert!(levels.len() >= 11, "{levels:?}");
}

#[test]
fn the_matrix_fills_its_panel() {
    let (app, _store) = view_app('2');
    let screen = text(&render(&app, 160, 48));
    // Text rows with matrix cells: more than half of the 44 inside the panel, and cells
    // more than four columns wide.
    let rows = screen.lines().filter(|l| l.contains("▀▀")).count();
    assert!(rows > 22, "{rows} rows:\n{screen}");
    let widest = screen
        .lines()
        .filter_map(|l| l.split('│').nth(1))
        .map(|panel| panel.chars().filter(|&c| c == '▀' || c == '▒').count())
        .max()
        .unwrap();
    assert!(widest >= 50, "{widest} columns of cells:\n{screen}");
}

#[test]
fn many_classes_show_whole_as_block_means_and_zoom_goes_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.sqlite");
    let params = deepscope::synth::SynthParams {
        images: 1200,
        classes: 300,
        dim: 8,
        steps: 2,
        superclasses: 12,
        seed: 1,
    };
    let mut w = Writer::create(&path).unwrap();
    deepscope::synth::write(&params, &mut w, |_| {}).unwrap();
    w.finish().unwrap();
    let (mut app, mut store) = open(&path);
    press(&mut app, &mut store, &[KeyCode::Char('2')]);
    let screen = text(&render(&app, 120, 40));
    // All 300 classes at once, each cell the mean of several.
    assert!(screen.contains("all 300 classes"), "{screen}");
    assert!(screen.contains("a cell: mean of ~"), "{screen}");
    assert!(screen.contains("cell mean"), "{screen}");
    // A cursor key moves a cell, not a class.
    let stride = app.matrix.stride.get();
    assert!(stride > 1, "{stride}");
    press(&mut app, &mut store, &[KeyCode::Down]);
    assert_eq!(app.matrix.cursor, (stride, 0));
    press(&mut app, &mut store, &[KeyCode::Char('+')]);
    let screen = text(&render(&app, 120, 40));
    assert!(screen.contains("zoom ×2: 1-150 × 1-150"), "{screen}");
    assert!(screen.contains("logit correlation · zoomed"), "{screen}");
    press(
        &mut app,
        &mut store,
        &[KeyCode::Char('+'), KeyCode::Char('+')],
    );
    assert_eq!(app.matrix.zoom, 8);
    press(&mut app, &mut store, &[KeyCode::Char('-')]);
    assert_eq!(app.matrix.zoom, 4);
    press(&mut app, &mut store, &[KeyCode::Char('0')]);
    assert!(text(&render(&app, 120, 40)).contains("all 300 classes"));
}
