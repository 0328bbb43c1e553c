//! The per-class table of the similarity view (`t`): precision, recall, count and the class
//! each is most often taken for, with their change since the previous step, one row per class
//! in the matrix's order. The row of the matrix cursor is highlighted; moving up or down
//! puts the cursor on that class's commonest confusion, so Enter opens those images as it
//! does on the matrix. Render and hit test share `rows_area` and the scroll.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::analysis::class_stats::ClassRow;
use crate::query::classes::{percent, points, signed};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::views::{Target, list_row};

/// Narrower than this (inside the border), the change columns are left out.
const WITH_CHANGES: u16 = 50;

/// The header line, the rows and the line about the cursor's cell, inside the border.
fn rows_area(area: Rect) -> [Rect; 3] {
    let inner = Block::bordered().inner(area);
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(inner)
}

/// Width of the class-name column: the longest name, within limits.
fn name_width(app: &App) -> usize {
    (0..app.num_classes())
        .map(|c| app.class_name(c as u32).chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 12)
}

/// A change coloured by whether it is good news (`up_is_good`) or bad.
fn change_span(text: String, value: Option<f64>, theme: &Theme, up_is_good: bool) -> Span<'static> {
    let style = match value {
        Some(v) if (v > 0.0) == up_is_good && v != 0.0 => Style::default().fg(theme.correct()),
        Some(v) if v != 0.0 => Style::default().fg(theme.wrong()),
        _ => theme.muted(),
    };
    Span::styled(text, style)
}

/// One row of the table, its names `w` wide, cut to `width` columns.
fn row_line(app: &App, theme: &Theme, row: &ClassRow, (w, width): (usize, u16)) -> Line<'static> {
    let (s, change) = (&row.stats, row.change);
    let mut spans = vec![
        Span::styled(
            format!("{:<w$.w$}", app.class_name(s.class)),
            Style::default().fg(theme.class(s.class as usize)),
        ),
        Span::raw(format!(" {:>6}", s.count)),
        Span::raw(format!(" {:>6}", percent(s.recall))),
    ];
    let wide = width >= WITH_CHANGES;
    if wide {
        let d = change.and_then(|c| c.recall);
        spans.push(change_span(format!(" {:>5}", points(d)), d, theme, true));
    }
    spans.push(Span::raw(format!(" {:>6}", percent(s.precision))));
    if wide {
        let d = change.and_then(|c| c.precision);
        spans.push(change_span(format!(" {:>5}", points(d)), d, theme, true));
    }
    spans.push(Span::raw("  "));
    match s.confused_with {
        Some((c, n)) => {
            let d = change.and_then(|c| c.confused);
            spans.push(Span::styled(
                app.class_name(c),
                Style::default().fg(theme.class(c as usize)),
            ));
            spans.push(Span::raw(format!(" {n}")));
            if wide {
                let text = format!(" ({})", signed(d));
                spans.push(change_span(text, d.map(|d| d as f64), theme, false));
            }
        }
        None => spans.push(Span::styled("-", theme.muted())),
    }
    Line::from(spans)
}

fn header(w: usize, width: u16) -> String {
    if width >= WITH_CHANGES {
        format!(
            "{:<w$} {:>6} {:>6} {:>5} {:>6} {:>5}  most confused with (n, Δ)",
            "class", "images", "recall", "Δ", "prec.", "Δ"
        )
    } else {
        format!(
            "{:<w$} {:>6} {:>6} {:>6}  confused",
            "class", "images", "recall", "prec."
        )
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(step) = app.step() else { return };
    let table = app.cache.class_tables.get(&step);
    let title = match table.map(|t| t.previous) {
        Some(Some(p)) => format!(" classes at step {step}, Δ since step {p} "),
        Some(None) => format!(" classes at step {step} (first step: no Δ) "),
        None => " classes ".to_string(),
    };
    frame.render_widget(Block::bordered().title(title), area);
    let [head, rows, foot] = rows_area(area);
    let Some(table) = table else {
        frame.render_widget(
            Paragraph::new("computing the class table…").style(theme.muted()),
            head,
        );
        return;
    };
    // Measured once a frame: a run can have thousands of classes.
    let w = name_width(app);
    frame.render_widget(
        Paragraph::new(header(w, head.width)).style(theme.muted().bold()),
        head,
    );
    let order = app.class_order();
    let cursor = app.matrix.cursor.0.min(order.len().saturating_sub(1));
    let first = app.scroll.classes.scroll(cursor, order.len(), rows.height);
    let lines: Vec<Line> = (first..order.len().min(first + rows.height as usize))
        .filter_map(|i| {
            let row = table.rows.get(order[i])?;
            let line = row_line(app, theme, row, (w, rows.width));
            Some(if i == cursor {
                line.style(theme.highlight())
            } else {
                line
            })
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rows);
    frame.render_widget(
        Paragraph::new(cursor_words(app)).style(theme.accent()),
        foot,
    );
}

/// What Enter opens: the cursor's (true, predicted) cell and its number of images.
fn cursor_words(app: &App) -> String {
    let order = app.class_order();
    let (r, c) = app.matrix.cursor;
    let (Some(&row), Some(&col)) = (order.get(r), order.get(c)) else {
        return String::new();
    };
    let n = app
        .step()
        .and_then(|s| app.cache.similarity.get(&s))
        .and_then(|s| s.confusion.as_ref())
        .map_or(0, |m| m[[row, col]]);
    format!(
        "{} → {}: {n} images, Enter: their pictures",
        app.class_name(row as u32),
        app.class_name(col as u32)
    )
}

/// A click on a row hits that class (its display position).
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    let step = app.step()?;
    app.cache.class_tables.get(&step)?;
    let [_, rows, _] = rows_area(area);
    let k = app.num_classes();
    let first = app
        .scroll
        .classes
        .offset(app.matrix.cursor.0, k, rows.height);
    list_row(rows, at, first, k).map(Target::ClassRow)
}

/// Puts the cursor on the class at display position `row`, in the column of the class it
/// is most often taken for (its own when it never is), so Enter shows those images.
pub fn select_row(app: &mut App, row: usize) {
    let order = app.class_order();
    let Some(&class) = order.get(row) else { return };
    let confused = app
        .step()
        .and_then(|s| app.cache.class_tables.get(&s))
        .and_then(|t| t.rows.get(class))
        .and_then(|r| r.stats.confused_with)
        .map_or(class, |(c, _)| c as usize);
    let col = order.iter().position(|&c| c == confused).unwrap_or(row);
    app.matrix.cursor = (row, col);
}
