//! k-means clusters of the layer: size, purity, majority class, and the images nearest each
//! centroid as a grid of previews (what deepViz showed).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let [list_area, grid] =
        Layout::horizontal([Constraint::Length(36), Constraint::Min(10)]).areas(area);
    let key = app.step().map(|s| (s, app.layer.clone(), app.cluster_k));
    let Some(c) = key.and_then(|k| app.cache.clusters.get(&k)) else {
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
    let mut state = ListState::default().with_selected(Some(
        app.cluster_selected.min(c.sizes.len().saturating_sub(1)),
    ));
    let title = format!(" k = {}: # size majority purity ", c.sizes.len());
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(title))
            .highlight_style(theme.highlight()),
        list_area,
        &mut state,
    );

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
