//! One module per view; `draw` lays out the screen and renders the current view.

pub mod clusters;
pub mod footer;
pub mod header;
pub mod help;
pub mod misclassified;
pub mod overlays;
pub mod preview;
pub mod projection;
pub mod similarity;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use super::app::{App, Overlay, View};
use super::graphics::Graphics;
use super::theme::Theme;

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

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, gfx: &mut Graphics) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
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
    gfx.set_enabled(app.overlay.is_none());
    match app.view {
        View::Projection => projection::render(frame, body, app, theme, gfx),
        View::Similarity => similarity::render(frame, body, app, theme),
        View::Misclassified => misclassified::render(frame, body, app, theme, gfx),
        View::Clusters => clusters::render(frame, body, app, theme, gfx),
    }
    footer::render(frame, foot, app, theme);
    gfx.set_enabled(true);
    match app.overlay {
        Some(Overlay::Help) => help::render(frame, body, theme),
        Some(Overlay::Cell { .. }) => overlays::render_cell(frame, body, app, theme, gfx),
        Some(Overlay::Search) => overlays::render_search(frame, body, app, theme),
        None => {}
    }
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
