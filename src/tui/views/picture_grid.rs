//! A grid of captioned pictures, one of them selected: the neighbours of a mistake, the images
//! of a confusion cell. The caller gives (image, caption) items, the selection and a size
//! policy; the grid picks the largest tiles that show every item, or pages through them with
//! the selection when even the smallest tiles cannot. Render and hit test share `tiles`, so a
//! click lands on the picture the user sees.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::Paragraph;

use crate::model::ImageId;
use crate::tui::App;
use crate::tui::graphics::Graphics;
use crate::tui::theme::Theme;

/// One picture and the lines written under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub image: ImageId,
    /// Caption lines, separated by '\n'; only the first `SizePolicy::caption_lines` show.
    pub caption: String,
}

/// How large tiles may be, in cells. A tile is `width` columns: a picture `width - 1` wide
/// and half as tall (a cell is about twice as tall as wide, so a square image stays
/// square), then its caption lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizePolicy {
    pub min_width: u16,
    pub max_width: u16,
    pub caption_lines: u16,
}

impl SizePolicy {
    fn height(&self, width: u16) -> u16 {
        (width.saturating_sub(1) / 2).max(1) + self.caption_lines
    }

    /// Tile width and height for `n` items in `area`: the largest width at which all fit,
    /// else the smallest (and the grid pages).
    pub fn tile(&self, area: Rect, n: usize) -> (u16, u16) {
        let min = self.min_width.max(2);
        let fits = |w: u16| {
            let (cols, rows) = (area.width / w, area.height / self.height(w));
            cols as usize * rows as usize >= n
        };
        let w = (min..=self.max_width.max(min))
            .rev()
            .find(|&w| fits(w))
            .unwrap_or(min);
        (w, self.height(w))
    }
}

/// Runs `draw` with the terminal's pictures only where a screen of many may use them
/// (`Graphics::grids`); half blocks elsewhere.
pub fn many_pictures(gfx: &mut Graphics, draw: impl FnOnce(&mut Graphics)) {
    let enabled = gfx.enabled();
    gfx.set_enabled(enabled && gfx.grids());
    draw(gfx);
    gfx.set_enabled(enabled);
}

/// The grid: items, which one is selected (highlighted when `focused`), and the policy.
pub struct PictureGrid<'a> {
    pub items: &'a [Tile],
    pub selected: usize,
    pub focused: bool,
    pub policy: SizePolicy,
}

impl PictureGrid<'_> {
    /// The items shown in `area` and their tiles: the page that holds the selection.
    pub fn tiles(&self, area: Rect) -> Vec<(usize, Rect)> {
        let (w, h) = self.policy.tile(area, self.items.len());
        let (cols, rows) = (area.width / w, area.height / h);
        let per_page = cols as usize * rows as usize;
        if per_page == 0 {
            return vec![];
        }
        let selected = self.selected.min(self.items.len().saturating_sub(1));
        let first = selected / per_page * per_page;
        (first..self.items.len().min(first + per_page))
            .map(|i| {
                let k = (i - first) as u16;
                let (cx, cy) = (k % cols, k / cols);
                (i, Rect::new(area.x + cx * w, area.y + cy * h, w, h))
            })
            .collect()
    }

    /// How many of the items fit in `area` at once.
    pub fn visible(&self, area: Rect) -> usize {
        self.tiles(area).len()
    }

    /// Draws each visible tile: the picture, with the terminal's protocol where it has one,
    /// and its caption, the chosen one's highlighted and marked when the grid has the
    /// keyboard.
    pub fn render(
        &self,
        frame: &mut Frame,
        area: Rect,
        app: &App,
        theme: &Theme,
        gfx: &mut Graphics,
    ) {
        for (i, tile) in self.tiles(area) {
            let item = &self.items[i];
            let pic_h = tile.height.saturating_sub(self.policy.caption_lines);
            let picture = Rect::new(tile.x, tile.y, tile.width.saturating_sub(1), pic_h);
            super::preview::draw(frame, picture, app, item.image, theme, gfx);
            let chosen = i == self.selected;
            // Only the grid that has the keyboard marks its choice.
            let marked = chosen && self.focused;
            let style = if marked {
                theme.highlight()
            } else {
                theme.muted()
            };
            for (l, line) in item
                .caption
                .lines()
                .take(self.policy.caption_lines as usize)
                .enumerate()
            {
                let at = Rect::new(
                    tile.x,
                    tile.y + pic_h + l as u16,
                    tile.width.saturating_sub(1),
                    1,
                );
                let text = if marked && l == 0 {
                    format!("▶{line}")
                } else {
                    line.to_string()
                };
                frame.render_widget(Paragraph::new(text).style(style), at);
            }
        }
    }

    /// The item whose tile holds `at`, if any.
    pub fn hit(&self, area: Rect, at: Position) -> Option<usize> {
        self.tiles(area)
            .into_iter()
            .find(|(_, r)| r.contains(at))
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Tile> {
        (0..n)
            .map(|i| Tile {
                image: i as ImageId,
                caption: format!("{i}\nd=0.1"),
            })
            .collect()
    }

    const POLICY: SizePolicy = SizePolicy {
        min_width: 8,
        max_width: 20,
        caption_lines: 2,
    };

    #[test]
    fn tiles_grow_while_every_item_still_fits() {
        // 8 items in 88x20: 18-wide tiles (8+2 tall) give 4 columns and 2 rows.
        assert_eq!(POLICY.tile(Rect::new(0, 0, 88, 20), 8), (18, 10));
        // Fewer items, larger tiles.
        assert_eq!(POLICY.tile(Rect::new(0, 0, 88, 20), 4), (20, 11));
    }

    #[test]
    fn the_grid_pages_with_the_selection_and_clicks_find_their_tile() {
        let items = items(30);
        let area = Rect::new(10, 5, 40, 12);
        let mut grid = PictureGrid {
            items: &items,
            selected: 0,
            focused: true,
            policy: POLICY,
        };
        // Smallest tiles (8x5): 5 columns, 2 rows.
        assert_eq!(grid.visible(area), 10);
        assert_eq!(grid.tiles(area)[0], (0, Rect::new(10, 5, 8, 5)));
        grid.selected = 13;
        let page: Vec<usize> = grid.tiles(area).iter().map(|t| t.0).collect();
        assert_eq!(page, (10..20).collect::<Vec<_>>());
        assert_eq!(grid.hit(area, Position::new(27, 11)), Some(17));
        assert_eq!(grid.hit(area, Position::new(9, 11)), None);
        grid.selected = 29;
        assert_eq!(grid.visible(area), 10);
    }
}
