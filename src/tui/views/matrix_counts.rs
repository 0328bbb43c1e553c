//! Counts in the confusion matrix's cells (toggled with `#` in view 2): each class pair's
//! number of images written in its cell, when every class has a cell of whole text rows
//! wide enough for the number (not when cells aggregate classes).

use ndarray::Array2;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use super::matrix_grid::Grid;

/// Writes `counts[[true, predicted]]` (class-id order) centred in each cell of `g`, whose
/// rows and columns are the classes `order` in display order; zeros are left blank.
pub fn draw(buf: &mut Buffer, g: &Grid, counts: &Array2<u32>, order: &[usize]) {
    if g.aggregated() || g.ch < 2 {
        return;
    }
    let rows_per_class = g.ch / 2;
    for r in 0..g.nr {
        for c in 0..g.nc {
            let (Some(&row), Some(&col)) = (
                order.get(g.window.rows.0 + r),
                order.get(g.window.cols.0 + c),
            ) else {
                continue;
            };
            let n = counts.get((row, col)).copied().unwrap_or(0);
            let text = n.to_string();
            if n == 0 || text.len() > g.cw {
                continue;
            }
            let y = g.y0 + (r * rows_per_class + (rows_per_class - 1) / 2) as u16;
            let x = g.x0 + (c * g.cw + (g.cw - text.len()) / 2) as u16;
            for (i, digit) in text.chars().enumerate() {
                let Some(cell) = buf.cell_mut((x + i as u16, y)) else {
                    continue;
                };
                // The cell's colour stays behind the digit, which contrasts with it (the
                // cursor's cell, drawn '▒', has it as its background).
                let behind = if cell.symbol() == "▀" {
                    cell.fg
                } else {
                    cell.bg
                };
                cell.set_char(digit).set_bg(behind).set_fg(contrast(behind));
            }
        }
    }
}

/// Black on light colours, white on dark ones (and on colours that are not RGB).
fn contrast(colour: Color) -> Color {
    match colour {
        Color::Rgb(r, g, b) if 299 * r as u32 + 587 * g as u32 + 114 * b as u32 > 140_000 => {
            Color::Black
        }
        _ => Color::White,
    }
}
