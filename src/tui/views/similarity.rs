//! The class-similarity matrix ("Blocks"), ordered by hierarchical clustering, beside the
//! confusion matrix in the same order; the cursor's cell explained on the right. Each
//! panel's colours span its off-diagonal values, the diagonal drawn apart; the whole matrix
//! fits at zoom 1 (cells aggregate classes when they must), `+`/`-` zoom around the cursor.
//! Render and hit test lay the panels out with the same functions (`panels`, `panel_grid`).

use ndarray::Array2;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::matrix_grid::{self, Grid, Panel, Window};
use crate::analysis::similarity::SimilaritySource;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::views::Target;

/// Width of the explanation on the right.
const SIDE_W: u16 = 28;
/// Zooming in stops at this many classes across.
const MIN_WINDOW: usize = 4;
/// Row labels are at most this wide (the longest name, cut), besides the group mark.
const MAX_LABEL: u16 = 12;

/// Screens at least this wide show the class table beside the matrix; narrower, the
/// table takes the whole view (`t` again brings the matrix back).
const TABLE_BESIDE: u16 = 120;

/// The matrices' area (none when the class table takes the view), the side text's, and the
/// class table's when it is shown.
fn split(app: &App, area: Rect) -> (Option<Rect>, Option<Rect>, Option<Rect>) {
    if !app.matrix.table {
        let [m, side] =
            Layout::horizontal([Constraint::Min(20), Constraint::Length(SIDE_W)]).areas(area);
        return (Some(m), Some(side), None);
    }
    if area.width < TABLE_BESIDE {
        return (None, None, Some(area));
    }
    let [m, table] =
        Layout::horizontal([Constraint::Min(40), Constraint::Percentage(50)]).areas(area);
    (Some(m), None, Some(table))
}

/// The matrix panels: the selected matrix, and the confusion matrix beside it when asked
/// for and when each still has room for a fair matrix (two columns a class up to 32).
fn panels(app: &App, matrices: Rect, k: usize) -> Vec<Rect> {
    let show_confusion = app.matrix.show_confusion
        && !app.matrix.table
        && matches!(
            app.matrix.source,
            SimilaritySource::Logits | SimilaritySource::Centroids
        )
        && matrices.width / 2 >= MAX_LABEL + 2 + 2 * k.min(32) as u16;
    if show_confusion {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .split(matrices)
            .to_vec()
    } else {
        vec![matrices]
    }
}

/// The classes in view: all of them at zoom 1, else 1/zoom of them around the cursor.
pub fn window(app: &App, k: usize) -> Window {
    let zoom = app.matrix.zoom.max(1) as usize;
    let len = k.div_ceil(zoom).max(MIN_WINDOW).min(k);
    let start = |cursor: usize| cursor.saturating_sub(len / 2).min(k - len);
    let (r, c) = app.matrix.cursor;
    Window {
        rows: (start(r), len),
        cols: (start(c), len),
    }
}

fn names(app: &App) -> Vec<String> {
    (0..app.num_classes())
        .map(|c| app.class_name(c as u32))
        .collect()
}

/// The grid of the panel drawn in `panel` (its border included), for `k` classes named
/// `names`: what render draws and what the hit test reads.
fn panel_grid(app: &App, panel: Rect, k: usize, names: &[String]) -> Grid {
    let name_len = names.iter().map(|n| n.chars().count()).max().unwrap_or(1);
    matrix_grid::grid(Block::bordered().inner(panel), window(app, k), k, name_len)
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let (matrices, side, table) = split(app, area);
    if let Some(table) = table {
        super::class_table::render(frame, table, app, theme);
    }
    let Some(matrices) = matrices else { return };
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
    let k = order.len();
    let (groups, names) = (group_ids(app, &order), names(app));
    let rects = panels(app, matrices, k);
    let grid = panel_grid(app, rects[0], k, &names);
    let first = Panel {
        title: title(app.matrix.source.title(), grid.window, k),
        m: &main,
        order: &order,
        groups: &groups,
        names: &names,
        cursor: app.matrix.cursor,
    };
    matrix_grid::draw(frame.buffer_mut(), rects[0], theme, &first, &grid);
    // Cursor keys move a cell: as many classes as the cells drawn cover.
    let stride = (grid.row_span(0).1 - grid.row_span(0).0).max(1);
    app.matrix.stride.set(stride);
    if let (Some(&rect), Some(confusion)) = (
        rects.get(1),
        app.matrix_at(step, SimilaritySource::Confusion),
    ) {
        let second = Panel {
            title: title("confusion (rows: true class)", grid.window, k),
            m: &confusion,
            ..first
        };
        let g = panel_grid(app, rect, k, &names);
        matrix_grid::draw(frame.buffer_mut(), rect, theme, &second, &g);
        if let Some(counts) = app
            .cache
            .similarity
            .get(&step)
            .and_then(|s| s.confusion.as_ref())
            && app.matrix.counts
            && g.fits(Block::bordered().inner(rect), k)
        {
            super::matrix_counts::draw(frame.buffer_mut(), &g, counts, &order);
        }
    }
    if let Some(side) = side {
        render_side(frame, side, app, theme, (&main, &order), &grid);
    }
}

/// A panel's title: what it shows, and which part of the matrix when not all of it.
fn title(what: &str, win: Window, k: usize) -> String {
    if win.rows.1 == k {
        what.to_string()
    } else {
        format!("{what} · zoomed")
    }
}

/// A click on a drawn matrix cell hits its (row, column) display position: the first class
/// of the cell when cells aggregate.
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    let (matrices, _, table) = split(app, area);
    if let Some(table) = table.filter(|t| t.contains(at)) {
        return super::class_table::hit(app, table, at);
    }
    app.matrix_at(app.step()?, app.matrix.source)?;
    let matrices = matrices?;
    let k = app.num_classes();
    let panel = panels(app, matrices, k)
        .into_iter()
        .find(|p| p.contains(at))?;
    let g = panel_grid(app, panel, k, &names(app));
    if !g.fits(Block::bordered().inner(panel), k) {
        return None;
    }
    let (r, c) = g.cell_at(at.x, at.y)?;
    Some(Target::MatrixCell(g.row_span(r).0, g.col_span(c).0))
}

/// Moves the cursor by (dx, dy) cells: a class, or the classes a cell covers when cells
/// aggregate (as last drawn).
pub fn move_cursor(app: &mut App, dx: i32, dy: i32) {
    let k = app.num_classes().max(1) as i64;
    if app.matrix.table && dx == 0 {
        // The table's rows, one class at a time.
        let row = (app.matrix.cursor.0 as i64 + dy as i64).clamp(0, k - 1) as usize;
        super::class_table::select_row(app, row);
        return;
    }
    let stride = app.matrix.stride.get().max(1) as i64;
    let (r, c) = app.matrix.cursor;
    app.matrix.cursor = (
        (r as i64 + dy as i64 * stride).clamp(0, k - 1) as usize,
        (c as i64 + dx as i64 * stride).clamp(0, k - 1) as usize,
    );
}

/// Zooms in (1), out (-1) or back to the whole matrix (0), around the cursor.
pub fn zoom(app: &mut App, direction: i32) {
    let k = app.num_classes().max(1);
    let z = app.matrix.zoom.max(1);
    app.matrix.zoom = match direction {
        0 => 1,
        d if d > 0 && k.div_ceil(z as usize) > MIN_WINDOW => z * 2,
        d if d < 0 => (z / 2).max(1),
        _ => z,
    };
}

/// Dendrogram groups of the classes (about √K of them), for the marks along the edges.
fn group_ids(app: &App, order: &[usize]) -> Vec<usize> {
    let k = order.len();
    let n = ((k as f64).sqrt().round() as usize).clamp(2, 24);
    app.order_key()
        .and_then(|key| app.cache.orders.get(&key))
        .map(|o| o.groups(n))
        .unwrap_or_else(|| vec![0; k])
}

/// What is shown (source, order, window) and what the cursor is on.
fn render_side(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    (m, order): (&Array2<f64>, &[usize]),
    grid: &Grid,
) {
    let k = order.len();
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
        Line::raw(if grid.window.rows.1 == k {
            format!("all {k} classes")
        } else {
            let ((r, rl), (c, cl)) = (grid.window.rows, grid.window.cols);
            format!(
                "zoom ×{}: {}-{} × {}-{}",
                app.matrix.zoom,
                r + 1,
                r + rl,
                c + 1,
                c + cl
            )
        }),
    ];
    if grid.aggregated() {
        let per = grid.row_span(0).1 - grid.row_span(0).0;
        lines.push(Line::raw(format!("a cell: mean of ~{per}×{per}")));
    }
    lines.push(Line::raw(""));
    let (r, c) = app.matrix.cursor;
    if let (Some(&row), Some(&col)) = (order.get(r), order.get(c)) {
        let (row_name, col_name) = (app.class_name(row as u32), app.class_name(col as u32));
        lines.push(Line::styled(
            format!("{row_name} × {col_name}"),
            theme.accent(),
        ));
        lines.push(Line::raw(format!("value {:.3}", m[[row, col]])));
        if let Some(cell) = grid.cell_of(r, c).filter(|_| grid.aggregated()) {
            let (mean, rows, cols) = matrix_grid::cell_summary(m.view(), order, grid, cell);
            lines.push(Line::raw(format!("cell mean {mean:.3}")));
            lines.push(Line::raw(format!("  over {rows}×{cols} classes")));
        }
        if let Some(confusion) = app
            .step()
            .and_then(|s| app.cache.similarity.get(&s))
            .and_then(|s| s.confusion.as_ref())
        {
            lines.push(Line::raw(format!("true {row_name} → pred {col_name}:")));
            lines.push(Line::raw(format!("  {} images", confusion[[row, col]])));
            lines.push(Line::styled("Enter: their pictures", theme.muted()));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("+ - 0 zoom in / out / all", theme.muted()));
    // Long class names wrap instead of being cut at the panel's edge.
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
