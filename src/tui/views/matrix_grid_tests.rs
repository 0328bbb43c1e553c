//! Tests of the matrix panel on synthetic matrices: long names, aggregation into blocks.

use ndarray::Array2;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

use super::*;
use crate::tui::theme::{ColourMode, Theme};

const CIFAR: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

fn draw_into(w: u16, h: u16, p: &Panel) -> (Buffer, Grid) {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    let k = p.order.len();
    let window = Window {
        rows: (0, k),
        cols: (0, k),
    };
    let name_len = p.names.iter().map(|n| n.chars().count()).max().unwrap_or(1);
    let g = grid(Block::bordered().inner(area), window, k, name_len);
    draw(&mut buf, area, &Theme::new(ColourMode::TrueColour), p, &g);
    (buf, g)
}

/// The characters of screen column `x` from row `y` down, `n` of them.
fn down(buf: &Buffer, x: u16, y: u16, n: u16) -> String {
    (y..y + n).map(|y| buf[(x, y)].symbol()).collect()
}

#[test]
fn long_column_names_are_written_downwards() {
    let names: Vec<String> = CIFAR.iter().map(|s| s.to_string()).collect();
    let m = Array2::from_shape_fn((10, 10), |(i, j)| if i == j { 1.0 } else { 0.1 });
    let order: Vec<usize> = (0..10).collect();
    let groups = vec![0; 10];
    let p = Panel {
        title: "t".into(),
        m: &m,
        order: &order,
        groups: &groups,
        names: &names,
        cursor: (0, 0),
    };
    let (buf, g) = draw_into(70, 40, &p);
    assert!(g.vertical, "{g:?}");
    assert_eq!(g.label_rows, 8);
    let x = g.x0 + (g.cw as u16 - 1) / 2;
    assert_eq!(down(&buf, x, 1, 8), "airplane");
    // "automobile" is cut to eight rows, its last an ellipsis.
    assert_eq!(down(&buf, x + g.cw as u16, 1, 8), "automob…");
    // Row labels fit in ten characters.
    let row: String = (2..g.x0).map(|x| buf[(x, g.y0)].symbol()).collect();
    assert_eq!(row.trim(), "airplane");
}

#[test]
fn more_classes_than_cells_aggregate_into_visible_blocks() {
    // 400 classes in 4 interleaved super-classes: 0.6 inside, 0.05 across.
    let k = 400;
    let m = Array2::from_shape_fn((k, k), |(i, j)| match (i == j, i % 4 == j % 4) {
        (true, _) => 1.0,
        (false, true) => 0.6,
        (false, false) => 0.05,
    });
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&c| (c % 4, c));
    let names: Vec<String> = (0..k).map(|c| format!("s{}c{c}", c % 4)).collect();
    let groups: Vec<usize> = (0..k).map(|c| c % 4).collect();
    let p = Panel {
        title: "t".into(),
        m: &m,
        order: &order,
        groups: &groups,
        names: &names,
        cursor: (0, 0),
    };
    let (buf, g) = draw_into(60, 40, &p);
    assert!(g.aggregated());
    // The whole matrix: the last cell ends at the last class.
    assert_eq!(g.row_span(g.nr - 1).1, k);
    assert_eq!(g.col_span(g.nc - 1).1, k);
    let top = Theme::new(ColourMode::TrueColour).scale(1.0);
    let bottom = Theme::new(ColourMode::TrueColour).scale(0.0);
    // A cell inside the first super-class's block is the top of the scale, one in the
    // block across (first super-class x last) the bottom.
    let (bx, by) = (g.x0 + 2, g.y0 + 1);
    assert_eq!(buf[(bx, by)].fg, top);
    let far = g.x0 + g.nc as u16 - 2;
    assert_eq!(buf[(far, by)].fg, bottom);
    // Group marks along both edges change colour between super-classes.
    let left: Vec<Color> = (0..(g.nr / 2) as u16)
        .map(|y| buf[(1, g.y0 + y)].fg)
        .collect();
    let mut distinct = left.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "{left:?}");
    let numbers: String = (g.x0..g.x0 + 4).map(|x| buf[(x, 1)].symbol()).collect();
    assert!(numbers.starts_with('1'), "position ticks: {numbers:?}");
}
