//! The rectangle selected on the map, drawn over it as a frame of box-drawing lines (clipped
//! to the canvas), and the lines the side panel says about it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

use super::viewport::Viewport;
use crate::tui::app::{App, Overlay};
use crate::tui::region::Region;
use crate::tui::theme::Theme;

/// Draws `region`'s frame on the canvas `area` (whose dots `view` maps), in `style`; the
/// edges that fall outside the canvas are left out.
pub fn draw(buf: &mut Buffer, area: Rect, view: &Viewport, region: Region, style: Style) {
    let (x0, x1, y0, y1) = region.bounds();
    // Dots to cells: 2 x 4 dots a cell; the top of the map is the top of the screen.
    let (u0, v0) = view.dot_f(x0, y1);
    let (u1, v1) = view.dot_f(x1, y0);
    let cell = |d: f32, per: f32| (d / per).floor();
    let (c0, c1) = (cell(u0, 2.0), cell(u1, 2.0));
    let (r0, r1) = (cell(v0, 4.0), cell(v1, 4.0));
    let (w, h) = (f32::from(area.width), f32::from(area.height));
    if c1 < 0.0 || r1 < 0.0 || c0 >= w || r0 >= h {
        return;
    }
    let inside = |c: f32, r: f32| c >= 0.0 && r >= 0.0 && c < w && r < h;
    let mut put = |c: f32, r: f32, ch: char| {
        if inside(c, r) {
            buf[(area.x + c as u16, area.y + r as u16)]
                .set_char(ch)
                .set_style(style);
        }
    };
    let (cs, ce) = (c0.max(0.0), c1.min(w - 1.0));
    let (rs, re) = (r0.max(0.0), r1.min(h - 1.0));
    let mut c = cs;
    while c <= ce {
        put(c, r0, '─');
        put(c, r1, '─');
        c += 1.0;
    }
    let mut r = rs;
    while r <= re {
        put(c0, r, '│');
        put(c1, r, '│');
        r += 1.0;
    }
    if c0 == c1 && r0 == r1 {
        put(c0, r0, '□');
        return;
    }
    put(c0, r0, '┌');
    put(c1, r0, '┐');
    put(c0, r1, '└');
    put(c1, r1, '┘');
}

/// What the side panel says about the selection: how many images it holds and the keys.
pub fn facts<'a>(app: &App, theme: &Theme) -> Vec<Line<'a>> {
    if app.projection.region.is_none() {
        return vec![];
    }
    let n = app.region_images().len();
    let mut lines = vec![Line::styled(
        format!("selected: {n} images"),
        theme.accent(),
    )];
    let keys = if app.overlay == Some(Overlay::Select) {
        "arrows, Enter: list, Esc: cancel"
    } else {
        "v: select anew, Esc: clear"
    };
    lines.push(Line::styled(keys, theme.muted()));
    lines
}
