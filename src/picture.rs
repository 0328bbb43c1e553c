//! Pictures of the run's images: how they are drawn (the image mode both front ends take
//! from `--images`), crisp integer upscaling, and printing one in the shell with viuer for
//! `show` and `neighbors --show`. Nothing is printed but text when stdout is not a terminal:
//! never escape codes in a pipe.

use std::io::IsTerminal;
use std::sync::OnceLock;

use clap::ValueEnum;
use image::{DynamicImage, ImageBuffer, Rgb, imageops};
use ratatui_image::picker::ProtocolType;

use crate::model::Thumbnail;

/// How images are drawn. SSH hides the terminal's identity, so detection can be overridden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ImageMode {
    /// Detect the terminal's graphics support, half blocks otherwise
    #[default]
    Auto,
    /// The kitty graphics protocol
    Kitty,
    /// iTerm2 inline images (also WezTerm, mlterm)
    Iterm,
    /// Sixel graphics (xterm -ti vt340, mlterm, foot)
    Sixel,
    /// Coloured half-block characters: works in every terminal, tmux and over SSH
    Blocks,
    /// No images, text only
    None,
}

/// Scales a thumbnail up by an integer factor with nearest-neighbour sampling, so that small
/// digits stay crisp instead of being blurred by the terminal's or viuer's resampling.
pub fn upscale(thumb: &Thumbnail, factor: u32) -> DynamicImage {
    let (w, h) = (thumb.width as u32, thumb.height as u32);
    let rgb = ImageBuffer::from_fn(w, h, |x, y| Rgb(thumb.rgb(x as usize, y as usize)));
    let scaled = imageops::resize(&rgb, w * factor, h * factor, imageops::FilterType::Nearest);
    DynamicImage::ImageRgb8(scaled)
}

/// How long a terminal gets to answer the graphics capability query, here and in the
/// viewer (the crate waits 2 s). Terminals answer in milliseconds, and over SSH in a round
/// trip; one that never answers (a detached tmux, a pty whose other side does not speak)
/// waits the whole time instead of for ever.
pub const QUERY_TIMEOUT_MS: i32 = 1000;

/// The graphics protocol the terminal says it supports and its cell size in pixels, asked
/// once per process with [`QUERY_TIMEOUT_MS`]; `None` when it does not answer in time.
fn answered() -> Option<(ProtocolType, (u16, u16))> {
    static ANSWER: OnceLock<Option<(ProtocolType, (u16, u16))>> = OnceLock::new();
    *ANSWER.get_or_init(|| {
        let options = ratatui_image::picker::cap_parser::QueryStdioOptions {
            timeout_ms: QUERY_TIMEOUT_MS,
            ..Default::default()
        };
        let picker = ratatui_image::picker::Picker::from_query_stdio_with_options(options).ok()?;
        let font = picker.font_size();
        Some((picker.protocol_type(), (font.width, font.height)))
    })
}

/// viuer draws a sixel picture 6 pixels per column it is given: the width to give it for
/// `cells` columns of `cell_width` pixels.
fn sixel_columns(cells: u32, cell_width: u16) -> u32 {
    (cells * u32::from(cell_width.max(1))).div_ceil(6).max(1)
}

/// Prints `thumb` at the cursor, `cells` columns wide, unless output is not a terminal or the
/// mode is `None`. Returns whether an image was printed.
pub fn print_thumbnail(
    thumb: &Thumbnail,
    cells: u32,
    mode: ImageMode,
) -> Result<bool, viuer::ViuError> {
    if mode == ImageMode::None || !std::io::stdout().is_terminal() {
        return Ok(false);
    }
    let mut config = viuer::Config {
        absolute_offset: false,
        width: Some(cells),
        transparent: false,
        ..Default::default()
    };
    match mode {
        ImageMode::Auto => {}
        ImageMode::Kitty => (config.use_iterm, config.use_sixel) = (false, false),
        ImageMode::Iterm => (config.use_kitty, config.use_sixel) = (false, false),
        ImageMode::Sixel => (config.use_kitty, config.use_iterm) = (false, false),
        ImageMode::Blocks | ImageMode::None => {
            (config.use_kitty, config.use_iterm, config.use_sixel) = (false, false, false)
        }
    }
    // viuer asks for kitty and sixel support without a timeout: ask first, with one, and
    // let it use only what the terminal has answered.
    if config.use_kitty || config.use_sixel {
        let answer = answered();
        let protocol = answer.map(|a| a.0);
        config.use_kitty &= protocol == Some(ProtocolType::Kitty);
        config.use_sixel &= protocol == Some(ProtocolType::Sixel);
        if config.use_sixel
            && let Some((_, (cell_width, _))) = answer
        {
            config.width = Some(sixel_columns(cells, cell_width));
        }
    }
    // Half blocks map one pixel per column: give them the thumbnail at its own size.
    let factor = if matches!(mode, ImageMode::Blocks) {
        1
    } else {
        4
    };
    let _quiet = Quiet::hold();
    viuer::print(&upscale(thumb, factor), &config).map(|_| true)
}

/// The terminal without echo while viuer asks it questions: viuer's key reader turns raw
/// mode on only while it reads, and an answer arriving in between was echoed over the
/// first picture (`^[[?63;1;2;4;6;9;15;16;22;28c` in xterm). The modes found are set back
/// when dropped.
struct Quiet(Option<rustix::termios::Termios>);

impl Quiet {
    fn hold() -> Quiet {
        use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
        let stdin = rustix::stdio::stdin();
        let Ok(found) = tcgetattr(stdin) else {
            return Quiet(None);
        };
        let mut quiet = found.clone();
        quiet.local_modes &= !(LocalModes::ECHO | LocalModes::ICANON);
        match tcsetattr(stdin, OptionalActions::Now, &quiet) {
            Ok(()) => Quiet(Some(found)),
            Err(_) => Quiet(None),
        }
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        if let Some(found) = &self.0 {
            let stdin = rustix::stdio::stdin();
            let _ = rustix::termios::tcsetattr(stdin, rustix::termios::OptionalActions::Now, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upscaling_repeats_pixels_without_blending() {
        let t = Thumbnail {
            width: 2,
            height: 1,
            channels: 1,
            pixels: vec![0, 255],
        };
        let img = upscale(&t, 3).to_rgb8();
        assert_eq!(img.dimensions(), (6, 3));
        let row: Vec<u8> = (0..6).map(|x| img.get_pixel(x, 1)[0]).collect();
        assert_eq!(row, vec![0, 0, 0, 255, 255, 255]);
    }

    #[test]
    fn sixel_pictures_are_as_wide_as_asked_whatever_the_cell_width() {
        // 28 columns of 14-pixel cells are 392 pixels: viuer's 6 per column need 66.
        assert_eq!(sixel_columns(28, 14), 66);
        assert_eq!(sixel_columns(28, 6), 28);
        assert_eq!(sixel_columns(28, 0), 5);
    }
}
