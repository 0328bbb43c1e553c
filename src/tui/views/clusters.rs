//! k-means clusters of the layer: size, purity, majority class, and the images nearest each
//! centroid as a grid of previews (what deepViz showed). A click on a row of the list
//! selects that cluster.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use crate::analysis::cluster::Clusters;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::views::{Target, list_row};

/// The list of clusters on the left, the grid of the selected one's images on the right.
fn areas(area: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Length(36), Constraint::Min(10)]).areas(area)
}

/// A click on a row of the list hits that cluster.
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    let n = app.current_clusters()?.sizes.len();
    let [list, _] = areas(area);
    let rows = Block::bordered().inner(list);
    let first = app
        .scroll
        .clusters
        .offset(app.cluster_selected, n, rows.height);
    list_row(rows, at, first, n).map(Target::ClusterRow)
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let [list_area, grid] = areas(area);
    let Some(c) = app.current_clusters() else {
        let msg = if app.layer_at_step(app.step_index) {
            "computing k-means…"
        } else {
            "this step has no such layer"
        };
        frame.render_widget(
            Paragraph::new(msg)
                .block(Block::bordered().title(format!(" k-means, k = {} ", app.cluster_k))),
            area,
        );
        return;
    };
    render_list(frame, list_area, app, theme, c);
    render_grid(frame, grid, app, theme, gfx, c);
}

/// One row per cluster: number, size, majority class and purity.
fn render_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, c: &Clusters) {
    let items: Vec<ListItem> = (0..c.sizes.len())
        .map(|i| {
            ListItem::new(Line::from(vec![
                Span::raw(format!("{i:>3} {:>6} ", c.sizes[i])),
                Span::styled(
                    format!("{:<8.8}", app.class_name(c.majority[i])),
                    Style::default().fg(theme.class(c.majority[i] as usize)),
                ),
                Span::raw(format!(" {:>5.1}%", c.purity[i] * 100.0)),
            ]))
        })
        .collect();
    let n = c.sizes.len();
    let rows = Block::bordered().inner(area).height;
    let mut state = ListState::default()
        .with_selected(Some(app.cluster_selected.min(n.saturating_sub(1))))
        .with_offset(app.scroll.clusters.scroll(app.cluster_selected, n, rows));
    let title = format!(" k = {}: # size majority purity ", c.sizes.len());
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(title))
            .highlight_style(theme.highlight()),
        area,
        &mut state,
    );
}

/// The selected cluster's images nearest its centroid, as many tiles as fit.
fn render_grid(
    frame: &mut Frame,
    grid: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
    c: &Clusters,
) {
    let block = Block::bordered().title(" nearest to the centroid ");
    let inner = block.inner(grid);
    frame.render_widget(block, grid);
    let Some(images) = c.nearest_to_centroid.get(app.cluster_selected) else {
        return;
    };
    // Tiles of 16x9 cells: a 28x28 digit at 16x8 plus its label line.
    let (tw, th) = (16u16, 9u16);
    let cols = (inner.width / tw).max(1);
    let rows = (inner.height / th).max(1);
    let shown = ((cols * rows) as usize).min(crate::tui::CLUSTER_GRID);
    for (n, &image) in images.iter().take(shown).enumerate() {
        let (cx, cy) = (n as u16 % cols, n as u16 / cols);
        let tile = Rect::new(
            inner.x + cx * tw,
            inner.y + cy * th,
            tw.min(inner.width),
            th.min(inner.height),
        );
        let [pic, caption] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(tile);
        super::preview::draw(frame, pic, app, image, theme, gfx);
        let label = app.catalog.labels[image as usize];
        frame.render_widget(
            Paragraph::new(format!("{image} {}", app.class_name(label))).style(theme.muted()),
            caption,
        );
    }
}
