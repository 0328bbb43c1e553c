//! Overlays: the images of a confusion cell, and the search box. A click on a row of the
//! cell's list hits that image.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph};

use super::{Target, centred, list_row};
use crate::tui::app::{App, Overlay};
use crate::tui::theme::Theme;

/// The cell's popup, centred in `area`, and inside it the list and the picture.
fn cell_areas(area: Rect) -> (Rect, [Rect; 2]) {
    let popup = centred(area, 70, 22);
    let inner = Block::bordered().inner(popup);
    (
        popup,
        Layout::horizontal([Constraint::Length(30), Constraint::Min(10)]).areas(inner),
    )
}

/// A click on a row of the cell's list hits that image (its row).
pub fn hit_cell(app: &App, area: Rect, at: Position) -> Option<Target> {
    let Some(Overlay::Cell {
        label,
        predicted,
        selected,
    }) = app.overlay
    else {
        return None;
    };
    let len = app.cell_images(label, predicted).len();
    let (_, [list, _]) = cell_areas(area);
    let first = app.scroll.cell_images.offset(selected, len, list.height);
    list_row(list, at, first, len).map(Target::CellImage)
}

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
    let (popup, [list_area, picture]) = cell_areas(area);
    frame.render_widget(Clear, popup);
    let title = format!(
        " true {} → predicted {}: {} images (Enter: show in projection, Esc: close) ",
        app.class_name(label),
        app.class_name(predicted),
        images.len()
    );
    frame.render_widget(Block::bordered().title(title), popup);
    let scores = app.scores();
    let items: Vec<ListItem> = images
        .iter()
        .map(|&i| {
            let conf = scores.map_or(0.0, |s| s.predictions[i as usize].confidence);
            ListItem::new(format!("image {i:>6}  p={conf:.2}"))
        })
        .collect();
    let mut state = ListState::default()
        .with_selected((!images.is_empty()).then(|| selected.min(images.len() - 1)))
        .with_offset(
            app.scroll
                .cell_images
                .scroll(selected, images.len(), list_area.height),
        );
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.highlight()),
        list_area,
        &mut state,
    );
    if let Some(image) = app.cell_images_selected() {
        super::preview::draw(frame, picture, app, image, theme, gfx);
    }
}

/// The search box and the classes and images its text matches, the chosen one highlighted.
pub fn render_search(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    use crate::tui::search::Match;
    let matches = app.search_matches();
    let popup = centred(area, 56, 3 + matches.len() as u16);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(" search classes and images (↑↓ choose, Enter) ")
        .border_style(theme.accent());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [typed, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let text = format!("{}▏", crate::text::escape(&app.search));
    frame.render_widget(Paragraph::new(text), typed);
    let items: Vec<ListItem> = matches
        .iter()
        .map(|m| match *m {
            Match::Class(c) => ListItem::new(format!("class {}", app.class_name(c))),
            Match::Image(i) => {
                let label = app.catalog.labels[i as usize];
                ListItem::new(format!("image {i} (class {})", app.class_name(label)))
            }
        })
        .collect();
    let selected = app.search_selected.min(matches.len().saturating_sub(1));
    let mut state = ListState::default().with_selected((!matches.is_empty()).then_some(selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.highlight()),
        list,
        &mut state,
    );
}
