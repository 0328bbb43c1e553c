//! One matrix panel of the similarity view: where its cells go, and drawing them. Cells are
//! half blocks (a column by half a text row is about square); when the classes of the
//! window outnumber the cells, each cell is the mean of the class pairs it covers
//! (analysis::blocks), so the whole matrix and its blocks show at once.

use ndarray::{Array2, ArrayView2};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::widgets::{Block, Widget};

use crate::analysis::blocks::{bin_of, bin_range, block_means, finite_range};
use crate::tui::theme::{SHADES, Theme, ramp_level};

/// The classes shown: display positions `start..start + len` of rows and of columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub rows: (usize, usize),
    pub cols: (usize, usize),
}

/// Where a panel's cells are and what each covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub window: Window,
    /// Cells shown down and across.
    pub nr: usize,
    pub nc: usize,
    /// Size of a cell: columns, and half text rows.
    pub cw: usize,
    pub ch: usize,
    /// Top-left of the first cell.
    pub x0: u16,
    pub y0: u16,
    /// Text rows of column labels (vertical when names are longer than a cell is wide).
    pub label_rows: u16,
    pub vertical: bool,
    /// Width of the row labels, the group mark included.
    pub label_w: u16,
}

impl Grid {
    /// Whether cells aggregate several classes.
    pub fn aggregated(&self) -> bool {
        self.nr < self.window.rows.1 || self.nc < self.window.cols.1
    }

    /// Display positions covered by cell row `r` (start, end).
    pub fn row_span(&self, r: usize) -> (usize, usize) {
        let (s, l) = self.window.rows;
        let (a, b) = bin_range(r, l, self.nr);
        (s + a, s + b)
    }

    pub fn col_span(&self, c: usize) -> (usize, usize) {
        let (s, l) = self.window.cols;
        let (a, b) = bin_range(c, l, self.nc);
        (s + a, s + b)
    }

    /// The cell (row, column) showing display position (r, c), if in the window.
    pub fn cell_of(&self, r: usize, c: usize) -> Option<(usize, usize)> {
        let ((rs, rl), (cs, cl)) = (self.window.rows, self.window.cols);
        (r >= rs && r < rs + rl && c >= cs && c < cs + cl)
            .then(|| (bin_of(r - rs, rl, self.nr), bin_of(c - cs, cl, self.nc)))
    }

    /// The cell drawn at screen position (x, y): what [`draw`] paints there.
    pub fn cell_at(&self, x: u16, y: u16) -> Option<(usize, usize)> {
        if x < self.x0 || y < self.y0 {
            return None;
        }
        let (c, r) = (
            (x - self.x0) as usize / self.cw,
            (y - self.y0) as usize * 2 / self.ch,
        );
        (r < self.nr && c < self.nc).then_some((r, c))
    }
}

/// Lays out a panel (its inner area) for a window over K classes whose longest name has
/// `name_len` characters: cells as large as the panel allows, about square (a column is
/// about half as wide as a text row is high, so a cell is `cw` columns by `ch` half rows
/// with `cw` = `ch`, or one more where the width allows it).
pub fn grid(inner: Rect, window: Window, k: usize, name_len: usize) -> Grid {
    let digits = k.max(1).to_string().len();
    let label_w = (name_len.min(10).max(digits) + 2) as u16;
    let l = window.rows.1.max(window.cols.1).max(1);
    let fit = |label_rows: u16| {
        let w = inner.width.saturating_sub(label_w) as usize;
        // One row for the group marks, the labels, one row for the scale.
        let h = inner.height.saturating_sub(label_rows + 2) as usize * 2;
        if l <= w.min(h) {
            let (sw, sh) = (w / l, h / l);
            // An even height gives every class whole text rows, so every row has its label.
            let even = |n: usize| if n >= 2 { n - n % 2 } else { 1 };
            let cw = if sh >= 2 { sw.min(even(sh) + 1) } else { 1 };
            (window.rows.1, window.cols.1, cw, even(sh.min(cw + 1)))
        } else {
            let n = w.min(h).max(1);
            (n.min(window.rows.1), n.min(window.cols.1), 1, 1)
        }
    };
    let (mut label_rows, mut vertical) = (1, false);
    let (mut nr, mut nc, mut cw, mut ch) = fit(label_rows);
    let per_class = nc == window.cols.1;
    if per_class && name_len > cw.saturating_sub(1).max(1) {
        // Names wider than a cell: written downwards, at most 8 rows (or a quarter of the
        // panel) of them.
        label_rows = (name_len as u16).min(8).min((inner.height / 4).max(1));
        vertical = true;
        (nr, nc, cw, ch) = fit(label_rows);
    }
    Grid {
        window,
        nr,
        nc,
        cw,
        ch,
        x0: inner.x + label_w,
        y0: inner.y + 1 + label_rows,
        label_rows,
        vertical,
        label_w,
    }
}

impl Grid {
    /// Whether the panel's inner area `inner` has room for this grid: what is drawn, and
    /// so what a click can hit.
    pub fn fits(&self, inner: Rect, k: usize) -> bool {
        k > 0 && inner.width > self.label_w + 1 && inner.height >= self.label_rows + 4
    }
}

/// What a panel draws besides its cells.
pub struct Panel<'a> {
    pub title: String,
    /// The matrix in class-id order, and the class ids in display order.
    pub m: &'a Array2<f64>,
    pub order: &'a [usize],
    /// Dendrogram group of every class (by class id), for the edge marks.
    pub groups: &'a [usize],
    pub names: &'a [String],
    /// The cursor's display position.
    pub cursor: (usize, usize),
}

/// The values shown (block means, NaN where a cell holds only the diagonal) and their range.
pub fn cell_values(p: &Panel, g: &Grid) -> (Array2<f64>, Option<(f64, f64)>) {
    let slice = |(s, l): (usize, usize)| s.min(p.order.len())..(s + l).min(p.order.len());
    let v = block_means(
        p.m.view(),
        &p.order[slice(g.window.rows)],
        &p.order[slice(g.window.cols)],
        g.nr,
        g.nc,
    );
    let range = finite_range(v.view());
    (v, range)
}

/// Position of `v` in the colour range, in [0, 1].
fn unit(v: f64, range: Option<(f64, f64)>) -> f64 {
    match range {
        Some((lo, hi)) if hi > lo => (v - lo) / (hi - lo),
        _ => 0.0,
    }
}

/// The border of `area`, and inside it the grid `g` (laid out by [`grid`] for the border's
/// inner area): labels, cells, and the colour scale on the last row.
pub fn draw(buf: &mut Buffer, area: Rect, theme: &Theme, p: &Panel, g: &Grid) {
    let block = Block::bordered().title(format!(" {} ", p.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if !g.fits(inner, p.order.len()) {
        return;
    }
    let (values, range) = cell_values(p, g);
    draw_labels(buf, inner, theme, p, g);
    let cursor = g.cell_of(p.cursor.0, p.cursor.1);
    let colour = |v: f64| {
        if v.is_finite() {
            theme.scale(unit(v, range))
        } else {
            theme.diagonal()
        }
    };
    let text_rows = (g.nr * g.ch).div_ceil(2);
    let bottom = inner.y + inner.height - 1;
    for ty in 0..text_rows {
        let y = g.y0 + ty as u16;
        if y >= bottom {
            break;
        }
        let (top, low) = ((2 * ty) / g.ch, (2 * ty + 1) / g.ch);
        for cx in 0..g.nc * g.cw {
            let c = cx / g.cw;
            let cell = &mut buf[(g.x0 + cx as u16, y)];
            let v = values[[top, c]];
            if theme.colourless() {
                let ch = match (cursor == Some((top, c)), v.is_finite()) {
                    (true, _) => '×',
                    (false, false) => '╲',
                    _ => SHADES[ramp_level(unit(v, range), SHADES.len())],
                };
                cell.set_char(ch);
                continue;
            }
            let below = if low < g.nr {
                colour(values[[low, c]])
            } else {
                Color::Reset
            };
            if cursor == Some((top, c)) || (low < g.nr && cursor == Some((low, c))) {
                cell.set_char('▒')
                    .set_style(Style::default().fg(theme.rgb(255, 255, 255)).bg(colour(v)));
            } else {
                cell.set_char('▀')
                    .set_style(Style::default().fg(colour(v)).bg(below));
            }
        }
    }
    draw_scale(
        buf,
        Rect::new(inner.x, bottom, inner.width, 1),
        theme,
        range,
    );
}

/// Column labels (across, or downwards when wider than a cell; position numbers when cells
/// aggregate), row labels, and the dendrogram's groups along the top and left edges.
fn draw_labels(buf: &mut Buffer, inner: Rect, theme: &Theme, p: &Panel, g: &Grid) {
    let group_colour = |pos: usize| {
        let id = p.groups.get(p.order[pos]).copied().unwrap_or(0);
        Style::default().fg(theme.class(id))
    };
    let label_style = |hit: bool| if hit { theme.accent() } else { theme.muted() };
    let name = |pos: usize| p.names.get(p.order[pos]).map_or("?", String::as_str);
    for c in 0..g.nc {
        let (first, end) = g.col_span(c);
        let x = g.x0 + (c * g.cw) as u16;
        for dx in 0..g.cw as u16 {
            buf.set_string(x + dx, g.y0 - 1, "▄", group_colour(first));
        }
        let hit = (first..end).contains(&p.cursor.1);
        if g.aggregated() {
            if c % 10 == 0 && g.x0 + (c + 6) as u16 <= inner.right() {
                buf.set_string(x, inner.y, format!("{}", first + 1), label_style(hit));
            }
        } else if g.vertical {
            let chars: Vec<char> = name(first).chars().collect();
            for (i, ch) in chars.iter().take(g.label_rows as usize).enumerate() {
                let last = i + 1 == g.label_rows as usize && chars.len() > g.label_rows as usize;
                let ch = if last { '…' } else { *ch };
                buf.set_string(
                    x + (g.cw as u16 - 1) / 2,
                    inner.y + i as u16,
                    ch.to_string(),
                    label_style(hit),
                );
            }
        } else {
            let label: String = name(first).chars().take(g.cw.max(2) - 1).collect();
            buf.set_string(x, inner.y, label, label_style(hit));
        }
    }
    let w = g.label_w as usize - 2;
    let text_rows = (g.nr * g.ch).div_ceil(2);
    for ty in 0..text_rows {
        let y = g.y0 + ty as u16;
        if y + 1 >= inner.bottom() {
            break;
        }
        let r = (2 * ty) / g.ch;
        let (first, end) = g.row_span(r);
        buf.set_string(inner.x, y, "▌", group_colour(first));
        let hit = (first..end).contains(&p.cursor.0);
        let label = if g.aggregated() {
            (ty % 4 == 0).then(|| format!("{}", first + 1))
        } else {
            ((2 * ty) % g.ch == 0 || g.ch == 1).then(|| ellipsis(name(first), w))
        };
        if let Some(label) = label {
            buf.set_string(inner.x + 1, y, format!("{label:>w$}"), label_style(hit));
        }
    }
}

/// `s` cut to `w` characters, the last one an ellipsis when cut.
fn ellipsis(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(w.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The ends of a scale as written under it: counts (whole numbers at both ends, as
/// confusion cells are) without decimals, anything else with three.
fn numbers(lo: f64, hi: f64) -> (String, String) {
    let whole = |v: f64| v.fract() == 0.0 && v.abs() < 1e9;
    if whole(lo) && whole(hi) {
        (format!("{lo:.0}"), format!("{hi:.0}"))
    } else {
        (format!("{lo:.3}"), format!("{hi:.3}"))
    }
}

/// The colour scale with its numbers, and the diagonal's colour apart:
/// `0.000 ████████ 0.287  ■ diagonal`.
fn draw_scale(buf: &mut Buffer, area: Rect, theme: &Theme, range: Option<(f64, f64)>) {
    let Some((lo, hi)) = range else {
        buf.set_string(area.x, area.y, "no off-diagonal values", theme.muted());
        return;
    };
    let (lo_s, hi_s) = numbers(lo, hi);
    let diag = " ■ diagonal";
    let fixed = lo_s.len() + hi_s.len() + 2;
    let room = (area.width as usize).saturating_sub(fixed + diag.chars().count());
    let levels = match theme.scale_levels() {
        0 => SHADES.len(),
        n => n,
    };
    // Every level at least once when there is room, up to 40 cells.
    let width = room.min(40).max(levels.min(room));
    let mut x = area.x;
    buf.set_string(x, area.y, &lo_s, theme.muted());
    x += lo_s.len() as u16 + 1;
    for i in 0..width {
        let t = if width > 1 {
            i as f64 / (width - 1) as f64
        } else {
            0.0
        };
        let cell = &mut buf[(x, area.y)];
        if theme.colourless() {
            cell.set_char(SHADES[ramp_level(t, SHADES.len())]);
        } else {
            cell.set_char('█')
                .set_style(Style::default().fg(theme.scale(t)));
        }
        x += 1;
    }
    buf.set_string(x + 1, area.y, &hi_s, theme.muted());
    x += hi_s.len() as u16 + 1;
    if x + diag.chars().count() as u16 <= area.right() {
        let mark = if theme.colourless() { " ╲" } else { " ■" };
        buf.set_string(x, area.y, mark, Style::default().fg(theme.diagonal()));
        buf.set_string(x + 2, area.y, " diagonal", theme.muted());
    }
}

/// Means the cursor's cell covers: (mean, rows covered, columns covered).
pub fn cell_summary(
    m: ArrayView2<f64>,
    order: &[usize],
    g: &Grid,
    cell: (usize, usize),
) -> (f64, usize, usize) {
    let ((r0, r1), (c0, c1)) = (g.row_span(cell.0), g.col_span(cell.1));
    let v = block_means(m, &order[r0..r1], &order[c0..c1], 1, 1);
    (v[[0, 0]], r1 - r0, c1 - c0)
}

#[cfg(test)]
#[path = "matrix_grid_tests.rs"]
mod tests;
