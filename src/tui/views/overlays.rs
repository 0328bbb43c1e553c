//! Overlays: the images of a confusion cell, or of the rectangle selected on the map, as a
//! grid of pictures (one path for both), and the search box. A click on a picture of the
//! grid hits that image.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph};

use super::picture_grid::{PictureGrid, SizePolicy, Tile};
use super::{Target, centred};
use crate::tui::app::{App, Overlay};
use crate::tui::theme::Theme;

/// Tiles of a cell's images: many at once, a digit at 8x4 cells at least.
const CELL_TILES: SizePolicy = SizePolicy {
    min_width: 9,
    max_width: 20,
    caption_lines: 2,
};

/// The cell's popup (nearly all of `area`), its line about the chosen image, and its grid.
fn cell_areas(area: Rect) -> [Rect; 3] {
    let popup = centred(
        area,
        area.width.saturating_sub(4).max(40),
        area.height.saturating_sub(2),
    );
    let inner = Block::bordered().inner(popup);
    let [line, grid] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    [popup, line, grid]
}

/// The open grid's images as tiles and the selection: a cell's (id, p(predicted)), a map
/// selection's (id, true class → prediction); None when no grid is open.
fn cell_tiles(app: &App) -> Option<(Vec<Tile>, usize)> {
    let (label, predicted, selected) = match app.overlay {
        Some(Overlay::Cell {
            label,
            predicted,
            selected,
        }) => (label, predicted, selected),
        Some(Overlay::Region { selected }) => return Some((region_tiles(app), selected)),
        _ => return None,
    };
    let scores = app.scores();
    let tiles = app
        .cell_images(label, predicted)
        .into_iter()
        .map(|image| Tile {
            image,
            caption: format!(
                "{image}\np={:.2}",
                scores.map_or(0.0, |s| s.predictions[image as usize].confidence)
            ),
        })
        .collect();
    Some((tiles, selected))
}

/// The map selection's images, captioned with their id, true class and prediction.
fn region_tiles(app: &App) -> Vec<Tile> {
    let scores = app.scores();
    app.region_images()
        .into_iter()
        .map(|image| {
            let label = app.catalog.labels[image as usize];
            let said = match scores.map(|s| s.predictions[image as usize].class) {
                Some(p) if p == label => format!("{} ✓", app.class_name(label)),
                Some(p) => format!("{}→{}", app.class_name(label), app.class_name(p)),
                None => app.class_name(label),
            };
            Tile {
                image,
                caption: format!("{image}\n{said}"),
            }
        })
        .collect()
}

/// The grid's title, and what its line says when it is empty.
fn grid_words(app: &App, n: usize) -> Option<(String, String)> {
    match app.overlay? {
        Overlay::Cell {
            label, predicted, ..
        } => Some((
            format!(
                " true {} → predicted {}: {n} images (Enter: all of them on the map, n: neighbours, Esc: close) ",
                app.class_name(label),
                app.class_name(predicted),
            ),
            format!(
                "no images in this cell: no image of class {} was predicted {}",
                app.class_name(label),
                app.class_name(predicted)
            ),
        )),
        Overlay::Region { .. } => Some((
            format!(
                " {n} images in the rectangle at step {} (Enter: on the map, n: neighbours and history, Esc: close) ",
                app.step().map_or("-".into(), |s| s.to_string())
            ),
            "no images in the selected rectangle (v on the map: select another)".into(),
        )),
        _ => None,
    }
}

fn grid(tiles: &[Tile], selected: usize) -> PictureGrid<'_> {
    PictureGrid {
        items: tiles,
        selected,
        focused: true,
        policy: CELL_TILES,
    }
}

/// A click on a picture of the cell's grid hits that image (its index).
pub fn hit_cell(app: &App, area: Rect, at: Position) -> Option<Target> {
    let (tiles, selected) = cell_tiles(app)?;
    let [_, _, grid_area] = cell_areas(area);
    grid(&tiles, selected)
        .hit(grid_area, at)
        .map(Target::CellImage)
}

pub fn render_cell(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let Some((tiles, selected)) = cell_tiles(app) else {
        return;
    };
    let Some((title, empty)) = grid_words(app, tiles.len()) else {
        return;
    };
    let [popup, line, grid_area] = cell_areas(area);
    frame.render_widget(Clear, popup);
    frame.render_widget(Block::bordered().title(title), popup);
    let Some(chosen) = tiles.get(selected.min(tiles.len().saturating_sub(1))) else {
        frame.render_widget(Paragraph::new(empty).style(theme.muted()), line);
        return;
    };
    let grid = grid(&tiles, selected);
    let name = app.catalog.image_names[chosen.image as usize]
        .as_deref()
        .map(|n| format!("  {}", crate::text::escape(n)))
        .unwrap_or_default();
    let confidence = app
        .scores()
        .map_or(0.0, |s| s.predictions[chosen.image as usize].confidence);
    frame.render_widget(
        Paragraph::new(format!(
            "image {} ({} of {}, {} shown): p(predicted)={confidence:.2}{name}",
            chosen.image,
            selected.min(tiles.len() - 1) + 1,
            tiles.len(),
            grid.visible(grid_area)
        ))
        .style(theme.accent()),
        line,
    );
    super::picture_grid::many_pictures(gfx, |gfx| grid.render(frame, grid_area, app, theme, gfx));
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
