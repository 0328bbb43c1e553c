//! Overlays: the images of a confusion cell, and the search box.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph};

use super::centred;
use crate::tui::app::{App, Overlay};
use crate::tui::theme::Theme;

pub fn render_cell(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let Some(Overlay::Cell {
        label,
        predicted,
        selected,
    }) = app.overlay
    else {
        return;
    };
    let images = app.cell_images(label, predicted);
    let popup = centred(area, 70, 22);
    frame.render_widget(Clear, popup);
    let title = format!(
        " true {} → predicted {}: {} images (Enter: show in projection, Esc: close) ",
        app.class_name(label),
        app.class_name(predicted),
        images.len()
    );
    let block = Block::bordered().title(title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [list_area, picture] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(10)]).areas(inner);
    let scores = app.scores();
    let items: Vec<ListItem> = images
        .iter()
        .map(|&i| {
            let conf = scores.map_or(0.0, |s| s.predictions[i as usize].confidence);
            ListItem::new(format!("image {i:>6}  p={conf:.2}"))
        })
        .collect();
    let mut state = ListState::default()
        .with_selected((!images.is_empty()).then(|| selected.min(images.len() - 1)));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.highlight()),
        list_area,
        &mut state,
    );
    if let Some(image) = app.cell_images_selected() {
        super::preview::draw(frame, picture, app, image, theme, gfx);
    }
}

pub fn render_search(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let popup = centred(area, 50, 3);
    frame.render_widget(Clear, popup);
    let text = format!("{}▏", crate::text::escape(&app.search));
    frame.render_widget(
        Paragraph::new(text).block(
            Block::bordered()
                .title(" search: class name or image id (Enter) ")
                .border_style(theme.accent()),
        ),
        popup,
    );
}
