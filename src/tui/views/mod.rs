//! One module per view; `draw` lays out the screen and renders the current view, `hit`
//! resolves a click to what was drawn there. Each view's render and its hit test sit side
//! by side and share the function that lays the view out, so a click lands on what the
//! user sees whatever the layout becomes.

pub mod class_table;
pub mod clusters;
pub mod footer;
pub mod header;
pub mod help;
pub mod history_chart;
pub mod map_region;
pub mod map_side;
pub mod matrix_counts;
pub mod matrix_grid;
pub mod misclassified;
pub mod neighbour_grids;
pub mod overlays;
pub mod picture_grid;
pub mod preview;
pub mod projection;
pub mod similarity;
pub mod suspects;
pub mod viewport;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::widgets::Paragraph;

use super::app::{App, Overlay, View};
use super::graphics::Graphics;
use super::theme::Theme;
use crate::model::ImageId;

/// What a click landed on, as resolved by the view that drew it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A tab of the header.
    Tab(View),
    /// A row of the misclassified list: an index into `App::visible_mistakes`.
    MistakeRow(usize),
    /// A picture of one of the misclassified view's neighbour grids: (grid, index in its
    /// list).
    Neighbour(usize, usize),
    /// A row of the suspects queue: an index into it.
    SuspectRow(usize),
    /// A picture of one of the suspects view's neighbour grids: (grid, index in its list).
    SuspectNeighbour(usize, usize),
    /// A row of the clusters list: the cluster's number.
    ClusterRow(usize),
    /// The image drawn nearest to the clicked cell of the map.
    MapImage(ImageId),
    /// A cell of the similarity matrix: (row, column) in display order.
    MatrixCell(usize, usize),
    /// A picture of the grid of a confusion cell's images (the overlay): its index.
    CellImage(usize),
    /// A row of the class table: the class's display position.
    ClassRow(usize),
}

/// The smallest screen the views are drawn on; below it a message says so.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// The screen's regions: header, body and footer.
pub fn regions(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Whether views are drawn on a screen of this size (else only a message).
fn fits(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, gfx: &mut Graphics) {
    let area = frame.area();
    if !fits(area) {
        let msg = format!(
            "terminal too small: {}x{}, need {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(msg).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let [head, body, foot] = regions(area);
    header::render(frame, head, app, theme);
    // Terminal pictures sit above the text (kitty) or outside ratatui's diff: under an
    // overlay the view's previews are half blocks, so nothing shows through it.
    gfx.set_enabled(matches!(app.overlay, None | Some(Overlay::Select)));
    match app.view {
        View::Projection => projection::render(frame, body, app, theme, gfx),
        View::Similarity => similarity::render(frame, body, app, theme),
        View::Misclassified => misclassified::render(frame, body, app, theme, gfx),
        View::Clusters => clusters::render(frame, body, app, theme, gfx),
        View::Suspects => suspects::render(frame, body, app, theme, gfx),
    }
    footer::render(frame, foot, app, theme);
    gfx.set_enabled(true);
    match app.overlay {
        Some(Overlay::Help) => help::render(frame, body, app, theme),
        Some(Overlay::Cell { .. } | Overlay::Region { .. }) => {
            overlays::render_cell(frame, body, app, theme, gfx)
        }
        Some(Overlay::Search) => overlays::render_search(frame, body, app, theme),
        // The rectangle being selected is drawn on the map itself.
        Some(Overlay::Select) | None => {}
    }
}

/// What a `screen`-sized frame shows at `at`, if it is something a click acts on: the
/// header's tabs, then the overlay when one is open (it covers the view), else the view.
pub fn hit(app: &App, screen: Rect, at: Position) -> Option<Target> {
    if !fits(screen) {
        return None;
    }
    let [head, body, _] = regions(screen);
    if head.contains(at) {
        return header::hit(head, at);
    }
    if !body.contains(at) {
        return None;
    }
    match app.overlay {
        Some(Overlay::Cell { .. } | Overlay::Region { .. }) => {
            return overlays::hit_cell(app, body, at);
        }
        // While a rectangle is drawn, clicks still reach the map.
        Some(Overlay::Select) | None => {}
        Some(_) => return None,
    }
    match app.view {
        View::Projection => projection::hit(app, body, at),
        View::Similarity => similarity::hit(app, body, at),
        View::Misclassified => misclassified::hit(app, body, at),
        View::Clusters => clusters::hit(app, body, at),
        View::Suspects => suspects::hit(app, body, at),
    }
}

/// The map point under `at` when the projection's map is drawn there (and nothing covers
/// it): where a drag that selects a rectangle starts and goes.
pub fn map_point(app: &App, screen: Rect, at: Position) -> Option<crate::tui::region::MapPoint> {
    if !fits(screen) || app.view != View::Projection {
        return None;
    }
    if !matches!(app.overlay, None | Some(Overlay::Select)) {
        return None;
    }
    let [_, body, _] = regions(screen);
    projection::map_point(app, body, at)
}

/// The item drawn at `at` by a list of `len` items whose rows fill `rows` (inside its
/// border, if any), scrolled to show `first` at the top.
pub fn list_row(rows: Rect, at: Position, first: usize, len: usize) -> Option<usize> {
    if !rows.contains(at) {
        return None;
    }
    let row = first + (at.y - rows.y) as usize;
    (row < len).then_some(row)
}

/// A rectangle of at most `w` x `h` centred in `area`.
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
