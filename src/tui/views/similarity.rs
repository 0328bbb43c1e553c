//! The class-similarity matrix ("Blocks"), ordered by hierarchical clustering, beside the
//! confusion matrix in the same order. Half-block cells: two matrix rows per text row. A
//! click on a cell hits it.

use ndarray::Array2;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::analysis::similarity::SimilaritySource;
use crate::tui::app::App;
use crate::tui::theme::{SHADES, Theme};
use crate::tui::views::Target;

/// Width of the row labels left of a matrix.
const LABEL_W: u16 = 7;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [matrices, side] = areas(area);
    let Some(step) = app.step() else { return };
    let Some(main) = app.matrix_at(step, app.matrix.source) else {
        let msg = if app.matrix.source == SimilaritySource::Centroids
            && app.cache.similarity.contains_key(&step)
        {
            "this step has no features layer for centroids (s: next source)"
        } else {
            "computing the similarity matrix…"
        };
        frame.render_widget(Paragraph::new(msg).block(Block::bordered()), matrices);
        return;
    };
    let order = app.class_order();
    let panels = panels(app, matrices, order.len());
    let groups = group_ids(app, &order);
    draw_matrix(
        frame.buffer_mut(),
        panels[0],
        app,
        theme,
        &main,
        &order,
        &groups,
        app.matrix.source.title(),
    );
    if let Some(&second) = panels.get(1)
        && let Some(confusion) = app.matrix_at(step, SimilaritySource::ConfusionOffdiag)
    {
        draw_matrix(
            frame.buffer_mut(),
            second,
            app,
            theme,
            &confusion,
            &order,
            &groups,
            "confusion (no diagonal), same order",
        );
    }
    render_side(frame, side, app, theme, &main, &order);
}

/// The matrix panels: the selected matrix, and the confusion matrix beside it when asked
/// for and when each keeps cells at least two columns wide.
fn panels(app: &App, matrices: Rect, k: usize) -> Vec<Rect> {
    let show_confusion = app.matrix.show_confusion
        && matches!(
            app.matrix.source,
            SimilaritySource::Logits | SimilaritySource::Centroids
        )
        // Side by side only while each matrix keeps cells at least two columns wide.
        && matrices.width / 2 >= LABEL_W + 3 + 2 * k as u16;
    if show_confusion {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .split(matrices)
            .to_vec()
    } else {
        vec![matrices]
    }
}

/// Where a matrix's cells are inside its panel, and which part of the matrix is visible.
struct Geometry {
    /// Cells per class (columns, and half rows).
    s: usize,
    vis_cols: usize,
    vis_rows: usize,
    /// First visible row and column (display positions).
    r0: usize,
    c0: usize,
    /// Top-left of the first cell.
    x0: u16,
    y0: u16,
}

fn geometry(app: &App, inner: Rect, k: usize) -> Geometry {
    let s = cell_size(k, inner);
    let vis_cols = (inner.width.saturating_sub(LABEL_W + 1) as usize / s).min(k);
    let vis_rows = ((inner.height as usize).saturating_sub(1) * 2 / s).min(k);
    let (cur_r, cur_c) = app.matrix.cursor;
    Geometry {
        s,
        vis_cols,
        vis_rows,
        r0: scroll(cur_r, vis_rows, k),
        c0: scroll(cur_c, vis_cols, k),
        x0: inner.x + LABEL_W + 1,
        y0: inner.y + 1,
    }
}

/// The matrices on the left, what the cursor is on at the right.
fn areas(area: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Min(20), Constraint::Length(30)]).areas(area)
}

/// A click on a drawn matrix cell hits its (row, column) display position.
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    app.matrix_at(app.step()?, app.matrix.source)?;
    let [matrices, _] = areas(area);
    let k = app.num_classes();
    let panel = panels(app, matrices, k)
        .into_iter()
        .find(|p| p.contains(at))?;
    let g = geometry(app, Block::bordered().inner(panel), k);
    if at.x < g.x0 || at.y < g.y0 || g.s == 0 {
        return None;
    }
    let (c, r) = (
        (at.x - g.x0) as usize / g.s,
        (at.y - g.y0) as usize * 2 / g.s,
    );
    (c < g.vis_cols && r < g.vis_rows).then_some(Target::MatrixCell(g.r0 + r, g.c0 + c))
}

/// Dendrogram groups of the classes (about √K of them), for the marks along the edge.
fn group_ids(app: &App, order: &[usize]) -> Vec<usize> {
    let k = order.len();
    let n = ((k as f64).sqrt().round() as usize).clamp(2, 24);
    app.order_key()
        .and_then(|key| app.cache.orders.get(&key))
        .map(|o| o.groups(n))
        .unwrap_or_else(|| vec![0; k])
}

/// Cells per class: as large as fits, at least one column by one half row.
fn cell_size(k: usize, inner: Rect) -> usize {
    let w = inner.width.saturating_sub(LABEL_W + 1) as usize;
    let h = inner.height.saturating_sub(1) as usize * 2;
    let s = (w / k.max(1)).min(h / k.max(1)).max(1);
    // An even size gives every class whole text rows, so every row has its label.
    if s >= 2 { s - s % 2 } else { 1 }
}

/// First visible class position so that the cursor stays on screen.
fn scroll(cursor: usize, visible: usize, k: usize) -> usize {
    if visible >= k {
        0
    } else {
        cursor.saturating_sub(visible / 2).min(k - visible)
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_matrix(
    buf: &mut Buffer,
    area: Rect,
    app: &App,
    theme: &Theme,
    m: &Array2<f64>,
    order: &[usize],
    groups: &[usize],
    title: &str,
) {
    let block = Block::bordered().title(format!(" {title} "));
    let inner = block.inner(area);
    ratatui::widgets::Widget::render(block, area, buf);
    let k = order.len();
    if k == 0 || inner.width <= LABEL_W + 1 || inner.height < 2 {
        return;
    }
    let Geometry {
        s,
        vis_cols,
        vis_rows,
        r0,
        c0,
        x0,
        ..
    } = geometry(app, inner, k);
    let (cur_r, cur_c) = app.matrix.cursor;
    let max = m
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let value = |r: usize, c: usize| -> f64 {
        let v = m[[order[r], order[c]]];
        if max > 0.0 { v / max } else { 0.0 }
    };
    column_labels(buf, inner.y, app, theme, order, (c0, vis_cols, s, x0));
    // Rows: text row y shows matrix half-rows 2y and 2y+1.
    let text_rows = (vis_rows * s).div_ceil(2);
    for ty in 0..text_rows.min(inner.height as usize - 1) {
        let y = inner.y + 1 + ty as u16;
        let (top_r, bottom_r) = (r0 + (2 * ty) / s, r0 + (2 * ty + 1) / s);
        if (2 * ty) % s == 0 || s == 1 {
            let class = order[top_r.min(k - 1)];
            row_label(buf, (inner.x, y), app, theme, class, top_r == cur_r, groups);
        }
        for cx in 0..vis_cols * s {
            let c = c0 + cx / s;
            let x = x0 + cx as u16;
            let cell = &mut buf[(x, y)];
            let on_cursor = |r: usize| r == cur_r && c == cur_c;
            if theme.colourless() {
                let v = value(top_r.min(k - 1), c);
                cell.set_char(if on_cursor(top_r) {
                    '×'
                } else {
                    SHADES[((v * 4.0).round() as usize).min(4)]
                });
                continue;
            }
            let top = theme.scale(value(top_r.min(k - 1), c));
            let bottom = if bottom_r < r0 + vis_rows {
                theme.scale(value(bottom_r, c))
            } else {
                ratatui::style::Color::Reset
            };
            if on_cursor(top_r) || (bottom_r < r0 + vis_rows && on_cursor(bottom_r)) {
                cell.set_char('▒')
                    .set_style(Style::default().fg(theme.rgb(255, 255, 255)).bg(top));
            } else {
                cell.set_char('▀')
                    .set_style(Style::default().fg(top).bg(bottom));
            }
        }
    }
}

/// The class names above the visible columns, the cursor's column's highlighted.
fn column_labels(
    buf: &mut Buffer,
    y: u16,
    app: &App,
    theme: &Theme,
    order: &[usize],
    (c0, vis_cols, s, x0): (usize, usize, usize, u16),
) {
    for c in 0..vis_cols {
        let name = app.class_name(order[c0 + c] as u32);
        let label: String = name.chars().take(s).collect();
        let style = if c0 + c == app.matrix.cursor.1 {
            theme.accent()
        } else {
            theme.muted()
        };
        buf.set_string(x0 + (c * s) as u16, y, label, style);
    }
}

/// A row's class name, right-aligned, with its dendrogram group's mark at the edge.
fn row_label(
    buf: &mut Buffer,
    (x, y): (u16, u16),
    app: &App,
    theme: &Theme,
    class: usize,
    on_cursor: bool,
    groups: &[usize],
) {
    let style = if on_cursor {
        theme.accent()
    } else {
        theme.muted()
    };
    let w = LABEL_W as usize - 1;
    let label: String = app.class_name(class as u32).chars().take(w).collect();
    buf.set_string(x + 1, y, format!("{label:>w$}"), style);
    let mark = groups.get(class).copied().unwrap_or(0);
    buf.set_string(x, y, "▌", Style::default().fg(theme.class(mark)));
}

fn render_side(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    m: &Array2<f64>,
    order: &[usize],
) {
    let mut lines = vec![
        Line::styled(
            format!("source: {}", app.matrix.source.title()),
            theme.accent(),
        ),
        Line::raw(format!("linkage: {:?}", app.matrix.linkage).to_lowercase()),
        Line::raw(match (app.matrix.fixed_order, app.order_step()) {
            (true, Some(s)) => format!("order: fixed from step {s}"),
            _ => "order: this step's".to_string(),
        }),
        Line::raw(""),
    ];
    let max = m
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let bar: Vec<Span> = (0..20)
        .map(|i| {
            let t = i as f64 / 19.0;
            if theme.colourless() {
                Span::raw(SHADES[((t * 4.0).round() as usize).min(4)].to_string())
            } else {
                Span::styled("█", Style::default().fg(theme.scale(t)))
            }
        })
        .collect();
    lines.push(Line::from(bar));
    lines.push(Line::raw(format!("0{:>19}", format!("{max:.3}"))));
    lines.push(Line::raw(""));
    let (r, c) = app.matrix.cursor;
    if let (Some(&row), Some(&col)) = (order.get(r), order.get(c)) {
        lines.push(Line::styled(
            format!(
                "{} × {}",
                app.class_name(row as u32),
                app.class_name(col as u32)
            ),
            theme.accent(),
        ));
        lines.push(Line::raw(format!("value {:.3}", m[[row, col]])));
        if let Some(confusion) = app
            .step()
            .and_then(|s| app.cache.similarity.get(&s))
            .and_then(|s| s.confusion.as_ref())
        {
            lines.push(Line::raw(format!(
                "true {} → pred {}: {} images",
                app.class_name(row as u32),
                app.class_name(col as u32),
                confusion[[row, col]]
            )));
            lines.push(Line::styled("Enter lists them", theme.muted()));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
