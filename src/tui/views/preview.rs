//! The image preview widget. Today it draws half blocks inside ratatui's buffer (two pixels
//! per cell, true colour, nearest-neighbour scaling so 28x28 digits stay crisp), which works
//! in every terminal, in tmux, over SSH and in tests. A graphics backend (kitty, iTerm2,
//! sixel) can take over the same area: `Preview::area_for` tells it where the picture goes.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use crate::model::Thumbnail;
use crate::tui::theme::{SHADES, Theme};

pub struct Preview<'a> {
    pub thumb: Option<&'a Thumbnail>,
    pub theme: &'a Theme,
}

impl Preview<'_> {
    /// The cells a `width` x `height` pixel image fills inside `area`, centred, keeping its
    /// aspect ratio (a cell is one pixel wide and two tall).
    pub fn area_for(width: usize, height: usize, area: Rect) -> Rect {
        if width == 0 || height == 0 || area.width == 0 || area.height == 0 {
            return Rect::new(area.x, area.y, 0, 0);
        }
        let (aw, ah) = (area.width as f64, area.height as f64 * 2.0);
        let scale = (aw / width as f64).min(ah / height as f64);
        // Whole multiples keep every source pixel the same size when there is room.
        let scale = if scale >= 1.0 { scale.floor() } else { scale };
        let w = ((width as f64 * scale).round() as u16).clamp(1, area.width);
        let h = (((height as f64 * scale) / 2.0).ceil() as u16).clamp(1, area.height);
        Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        )
    }
}

impl Widget for Preview<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(t) = self.thumb.filter(|t| t.width > 0 && t.height > 0) else {
            if area.width >= 10 && area.height >= 1 {
                let msg = "no image";
                let x = area.x + (area.width.saturating_sub(msg.len() as u16)) / 2;
                buf.set_string(x, area.y + area.height / 2, msg, self.theme.muted());
            }
            return;
        };
        let target = Preview::area_for(t.width, t.height, area);
        let (tw, th) = (target.width as usize, target.height as usize * 2);
        for cy in 0..target.height as usize {
            for cx in 0..tw {
                // Nearest-neighbour sampling of the pixel under each half cell.
                let sx = (cx * t.width / tw).min(t.width - 1);
                let top = t.rgb(sx, ((2 * cy) * t.height / th).min(t.height - 1));
                let bottom = t.rgb(sx, ((2 * cy + 1) * t.height / th).min(t.height - 1));
                let cell = &mut buf[(target.x + cx as u16, target.y + cy as u16)];
                if self.theme.colourless() {
                    let lum = (top
                        .iter()
                        .chain(&bottom)
                        .map(|&v| v as usize)
                        .sum::<usize>())
                        / 6;
                    cell.set_char(SHADES[(lum * SHADES.len() / 256).min(SHADES.len() - 1)]);
                } else {
                    cell.set_char('▀').set_style(
                        Style::default()
                            .fg(self.theme.rgb(top[0], top[1], top[2]))
                            .bg(self.theme.rgb(bottom[0], bottom[1], bottom[2])),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::ColourMode;
    use ratatui::style::Color;

    #[test]
    fn a_digit_scales_by_whole_pixels_and_keeps_its_aspect() {
        assert_eq!(
            Preview::area_for(28, 28, Rect::new(0, 0, 60, 30)),
            Rect::new(2, 1, 56, 28)
        );
        assert_eq!(
            Preview::area_for(28, 28, Rect::new(0, 0, 20, 8)),
            Rect::new(2, 0, 16, 8)
        );
        assert_eq!(Preview::area_for(28, 28, Rect::new(0, 0, 0, 8)).width, 0);
    }

    #[test]
    fn half_blocks_carry_two_pixels_per_cell() {
        let t = Thumbnail {
            width: 1,
            height: 2,
            channels: 1,
            pixels: vec![255, 0],
        };
        let theme = Theme::new(ColourMode::TrueColour);
        let mut buf = Buffer::empty(Rect::new(0, 0, 1, 1));
        Preview {
            thumb: Some(&t),
            theme: &theme,
        }
        .render(buf.area, &mut buf);
        let cell = &buf[(0, 0)];
        assert_eq!(cell.symbol(), "▀");
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Rgb(255, 255, 255), Color::Rgb(0, 0, 0))
        );
    }
}
