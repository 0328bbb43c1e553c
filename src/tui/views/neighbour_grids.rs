//! An image beside its nearest images of two classes, as pictures: the subject's picture,
//! the chosen image's details under it, and one grid of captioned pictures (id, class,
//! distance) per class. The misclassified view (predicted and true class) and the suspects
//! view (suggested and given label) both draw it; render and hit test share `areas`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Paragraph};

use super::picture_grid::{PictureGrid, SizePolicy, Tile};
use crate::analysis::neighbours::Neighbour;
use crate::model::ImageId;
use crate::tui::app::{App, MisFocus, NeighbourLists};
use crate::tui::graphics::Graphics;
use crate::tui::theme::Theme;

/// Where the subject's picture, the chosen image's details and the two grids go.
pub struct Areas {
    pub picture: Rect,
    pub facts: Rect,
    pub grids: [Rect; 2],
}

/// Lays out `detail` (the part of a view right of its list). On narrow screens the
/// subject's column is narrower so that pictures of neighbours still fit, fewer and smaller.
pub fn areas(detail: Rect, wide: bool) -> Areas {
    let column_w = if wide { 36 } else { 18 };
    let [column, grids] =
        Layout::horizontal([Constraint::Length(column_w), Constraint::Min(10)]).areas(detail);
    // A square picture: half as many rows as columns, plus the border.
    let picture_h = (column_w - 2) / 2 + 2;
    let [picture, facts] =
        Layout::vertical([Constraint::Length(picture_h), Constraint::Min(0)]).areas(column);
    let [first, second] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(grids);
    Areas {
        picture,
        facts,
        grids: [first, second],
    }
}

/// Tiles of neighbours: a 28x28 digit at 16x8 cells on a large screen, down to 6x3, so
/// that an 80x24 screen still shows five of each class. Captions give the distance to two
/// decimals ("d=0.18" fits the narrowest tile); the chosen one's title gives three.
const TILES: SizePolicy = SizePolicy {
    min_width: 7,
    max_width: 18,
    caption_lines: 2,
};

/// Which grid has the keyboard and which picture each grid has chosen.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub focus: MisFocus,
    pub chosen: [usize; 2],
}

impl Selection {
    fn grid<'a>(&self, tiles: &'a [Tile], which: usize) -> PictureGrid<'a> {
        PictureGrid {
            items: tiles,
            selected: self.chosen[which],
            focused: self.focus == MisFocus::Neighbours(which),
            policy: TILES,
        }
    }
}

/// The pictures of list `which`, each captioned with its id, class and distance.
fn tiles(app: &App, lists: &NeighbourLists, which: usize) -> Vec<Tile> {
    lists.get(which).map_or_else(Vec::new, |(_, list)| {
        list.iter()
            .map(|n| Tile {
                image: n.image,
                caption: format!(
                    "{} {}\nd={:.2}",
                    n.image,
                    app.class_name(app.catalog.labels[n.image as usize]),
                    n.distance
                ),
            })
            .collect()
    })
}

/// The neighbour chosen in the grid that has the keyboard, if one has.
pub fn chosen(lists: Option<&NeighbourLists>, selection: Selection) -> Option<Neighbour> {
    let MisFocus::Neighbours(which) = selection.focus else {
        return None;
    };
    lists?.get(which)?.1.get(selection.chosen[which]).copied()
}

/// The picture of grid `which` drawn at `at`: (grid, index in its list).
pub fn hit(
    app: &App,
    areas: &Areas,
    lists: &NeighbourLists,
    selection: Selection,
    at: Position,
) -> Option<(usize, usize)> {
    (0..2).find_map(|which| {
        let tiles = tiles(app, lists, which);
        let grid = selection.grid(&tiles, which);
        grid.hit(Block::bordered().inner(areas.grids[which]), at)
            .map(|i| (which, i))
    })
}

/// Draws the subject `image` (titled `title`), the chosen image's details, and the grids
/// titled by `kinds` ("pred.", "true"); "computing" until the lists are known.
#[allow(clippy::too_many_arguments)]
pub fn render(
    frame: &mut Frame,
    areas: &Areas,
    app: &App,
    theme: &Theme,
    gfx: &mut Graphics,
    (image, title): (ImageId, String),
    lists: Option<&NeighbourLists>,
    selection: Selection,
    kinds: [&str; 2],
) {
    // The subject stays in view whichever neighbour is chosen: the point is to see it
    // beside them.
    let block = Block::bordered().title(title);
    let inner = block.inner(areas.picture);
    frame.render_widget(block, areas.picture);
    super::preview::draw(frame, inner, app, image, theme, gfx);
    let (shown, title) = match chosen(lists, selection) {
        Some(n) => (
            n.image,
            format!(" chosen: neighbour {}, d={:.3} ", n.image, n.distance),
        ),
        None => (image, format!(" chosen: image {image} ")),
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(areas.facts);
    frame.render_widget(block, areas.facts);
    super::misclassified::render_facts(frame, inner, app, theme, shown);
    let Some(lists) = lists else {
        for area in areas.grids {
            frame.render_widget(
                Paragraph::new("neighbours: computing…")
                    .style(theme.muted())
                    .block(Block::bordered()),
                area,
            );
        }
        return;
    };
    for (which, area) in areas.grids.into_iter().enumerate() {
        let Some((class, _)) = lists.get(which) else {
            continue;
        };
        let tiles = tiles(app, lists, which);
        let grid = selection.grid(&tiles, which);
        let inner = Block::bordered().inner(area);
        let title = format!(
            " nearest {} ({}): {} of {} ",
            app.class_name(*class),
            kinds[which],
            grid.visible(inner),
            tiles.len()
        );
        let style = if grid.focused {
            theme.accent()
        } else {
            Style::default()
        };
        frame.render_widget(Block::bordered().title(title).border_style(style), area);
        grid.render(frame, inner, app, theme, gfx);
    }
}
