//! Pictures for kitty by classic placement: the image is sent with an escape sequence at a
//! cursor position after ratatui has flushed a frame, and the cells beneath are left alone
//! by ratatui's diff (`CellDiffOption::Skip`).
//!
//! Why not ratatui-image's kitty mode: it places pictures with unicode placeholder cells,
//! which kitty understands only from 0.28 on (older kittys, still shipped by Debian 12,
//! show boxes). Why not viuer's kitty printer: it detects support lazily by reading stdin
//! (racing crossterm's input reader) and knows nothing of what ratatui drew around it.
//!
//! Debris is avoided the way it was seen to work in kitty: every frame says which pictures
//! it wants where; only when that list (or the terminal's size) changes are all pictures
//! deleted and the wanted ones sent again. Cells under a picture are blanked before it is
//! placed, so when it is deleted the terminal shows what ratatui's buffer holds.

use std::collections::HashMap;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::Rect;

use crate::model::{ImageId, Thumbnail};
use crate::picture::upscale;

/// Largest escape-sequence payload kitty accepts in one chunk.
const CHUNK: usize = 4096;

/// One picture at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placement {
    cells: Rect,
    image: ImageId,
    /// Whole-pixel enlargement of the picture sent.
    factor: u32,
}

/// Pictures wanted by the frame being drawn, and those on the screen now.
#[derive(Default)]
pub struct KittyPlacements {
    /// Pixel size of one cell, to keep pictures' aspect ratio.
    cell: (u16, u16),
    wanted: Vec<Placement>,
    shown: Vec<Placement>,
    shown_on: (u16, u16),
    /// Base64 RGB pixels and their size, per image and enlargement (kept between frames;
    /// one image can be shown at two sizes, e.g. a detail panel and a grid tile).
    encoded: HashMap<(ImageId, u32), (String, u32, u32)>,
}

impl KittyPlacements {
    /// `cell` is the pixel size of one cell (width, height).
    pub fn new(cell: (u16, u16)) -> KittyPlacements {
        KittyPlacements {
            cell: (cell.0.max(1), cell.1.max(1)),
            ..KittyPlacements::default()
        }
    }

    /// Reserves the cells of `area` that `thumb` fills (centred, aspect kept) for its
    /// picture: blanked, and skipped by ratatui's diff until the picture goes.
    pub fn place(&mut self, buf: &mut Buffer, area: Rect, image: ImageId, thumb: &Thumbnail) {
        let cells = self.cells_for(thumb, area);
        if cells.is_empty() {
            return;
        }
        for y in cells.top()..cells.bottom() {
            for x in cells.left()..cells.right() {
                let cell = &mut buf[(x, y)];
                cell.reset();
                cell.set_diff_option(CellDiffOption::Skip);
            }
        }
        // Whole-pixel enlargement close to the shown size, so kitty's own scaling cannot
        // blur a 28x28 digit.
        let shown_px = cells.width as u32 * self.cell.0 as u32;
        let factor = (shown_px / thumb.width.max(1) as u32).clamp(1, 16);
        let key = (image, factor);
        // Encoded pictures are small; keep a bounded number.
        if self.encoded.len() >= 256 && !self.encoded.contains_key(&key) {
            self.encoded.clear();
        }
        self.encoded.entry(key).or_insert_with(|| {
            let rgb = upscale(thumb, factor).to_rgb8();
            let (w, h) = rgb.dimensions();
            (STANDARD.encode(rgb.as_raw()), w, h)
        });
        self.wanted.push(Placement {
            cells,
            image,
            factor,
        });
    }

    /// The cells a picture of `thumb` takes inside `area`.
    fn cells_for(&self, thumb: &Thumbnail, area: Rect) -> Rect {
        if thumb.width == 0 || thumb.height == 0 || area.is_empty() {
            return Rect::default();
        }
        let (cw, ch) = (self.cell.0 as f64, self.cell.1 as f64);
        let scale = (area.width as f64 * cw / thumb.width as f64)
            .min(area.height as f64 * ch / thumb.height as f64);
        let w = ((thumb.width as f64 * scale / cw).round() as u16).clamp(1, area.width);
        let h = ((thumb.height as f64 * scale / ch).round() as u16).clamp(1, area.height);
        Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        )
    }

    /// After a frame is flushed: sends what changed to the terminal. `screen` is the
    /// terminal's size in cells (after a resize everything is placed again).
    pub fn flush(&mut self, out: &mut impl Write, screen: (u16, u16)) -> std::io::Result<()> {
        let wanted = std::mem::take(&mut self.wanted);
        if wanted == self.shown && screen == self.shown_on {
            return Ok(());
        }
        let mut bytes = Vec::new();
        if !self.shown.is_empty() || !wanted.is_empty() {
            // Delete every picture (and free its data): nothing is left behind.
            bytes.extend_from_slice(b"\x1b_Ga=d,d=A,q=2\x1b\\");
        }
        for p in &wanted {
            if let Some((data, w, h)) = self.encoded.get(&(p.image, p.factor)) {
                write_placement(&mut bytes, p.cells, data, *w, *h)?;
            }
        }
        out.write_all(&bytes)?;
        out.flush()?;
        self.shown = wanted;
        self.shown_on = screen;
        Ok(())
    }
}

/// Moves the cursor to `cells` and sends one picture, scaled by kitty to fill the cells,
/// in chunks; the cursor is not moved by the picture (`C=1`) and kitty does not reply (`q=2`).
fn write_placement(
    out: &mut Vec<u8>,
    cells: Rect,
    data: &str,
    w: u32,
    h: u32,
) -> std::io::Result<()> {
    write!(out, "\x1b[{};{}H", cells.y + 1, cells.x + 1)?;
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(CHUNK).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        if i == 0 {
            write!(
                out,
                "\x1b_Ga=T,f=24,s={w},v={h},c={},r={},C=1,q=2,m={more};",
                cells.width, cells.height
            )?;
        } else {
            write!(out, "\x1b_Gm={more};")?;
        }
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digit() -> Thumbnail {
        Thumbnail {
            width: 28,
            height: 28,
            channels: 1,
            pixels: (0..28 * 28).map(|i| (i % 256) as u8).collect(),
        }
    }

    fn flushed(k: &mut KittyPlacements, screen: (u16, u16)) -> String {
        let mut out = Vec::new();
        k.flush(&mut out, screen).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_picture_is_sent_once_and_deleted_when_it_goes() {
        let mut k = KittyPlacements::new((10, 20));
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 20));
        buf.set_string(0, 5, "x".repeat(40), ratatui::style::Style::default());
        k.place(&mut buf, Rect::new(0, 0, 40, 20), 7, &digit());
        // 28x28 pixels in 10x20-pixel cells: twice as many columns as rows, centred.
        assert_eq!(k.wanted[0].cells, Rect::new(0, 0, 40, 20));
        assert_eq!(
            buf[(3, 5)].symbol(),
            " ",
            "cells under the picture are blanked"
        );
        assert_eq!(buf[(3, 5)].diff_option, CellDiffOption::Skip);

        let first = flushed(&mut k, (80, 24));
        assert!(first.starts_with("\x1b_Ga=d,d=A,q=2\x1b\\\x1b[1;1H\x1b_Ga=T,f=24"));
        assert!(first.contains("c=40,r=20,C=1"));
        // Enlarged by whole pixels: 40 columns of 10 pixels = 400 = 14 x 28 (rounded down).
        assert!(first.contains("s=392,v=392"), "{first}");

        // The same picture in the same place: nothing is sent again.
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 20));
        k.place(&mut buf, Rect::new(0, 0, 40, 20), 7, &digit());
        assert_eq!(flushed(&mut k, (80, 24)), "");
        // After a resize it is placed again.
        k.place(&mut buf, Rect::new(0, 0, 40, 20), 7, &digit());
        assert!(flushed(&mut k, (100, 30)).contains("a=T"));
        // A frame without it deletes it, once.
        assert_eq!(flushed(&mut k, (100, 30)), "\x1b_Ga=d,d=A,q=2\x1b\\");
        assert_eq!(flushed(&mut k, (100, 30)), "");
    }

    #[test]
    fn big_pictures_go_in_chunks_of_at_most_4096_bytes() {
        let mut k = KittyPlacements::new((10, 20));
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 20));
        k.place(&mut buf, Rect::new(0, 0, 40, 20), 1, &digit());
        let out = flushed(&mut k, (80, 24));
        let payloads: Vec<&str> = out
            .split("\x1b\\")
            .filter_map(|s| s.rsplit_once(';').map(|(_, p)| p))
            .collect();
        assert!(payloads.len() > 1);
        assert!(payloads.iter().all(|p| p.len() <= CHUNK));
        assert!(out.contains("m=1;") && out.contains("\x1b_Gm=0;"));
        let decoded: usize = payloads
            .iter()
            .map(|p| STANDARD.decode(p).unwrap().len())
            .sum();
        assert_eq!(decoded, 392 * 392 * 3);
    }
}
