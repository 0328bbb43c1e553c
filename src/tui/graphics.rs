//! Inline pictures on terminals with a graphics protocol (kitty, iTerm2, sixel), through
//! ratatui-image, which draws them in step with ratatui's buffer. Everywhere else, and in
//! tests, previews are half blocks drawn by `views::preview`.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{Resize, StatefulImage};

use crate::cli::shell_image::{ImageMode, upscale};
use crate::model::{ImageId, Thumbnail};

/// How long the terminal may take to answer the graphics query (the crate waits 2 s).
/// Terminals answer in milliseconds, and over SSH in a round trip; only a terminal that
/// never answers (a detached tmux) waits the whole time, behind the first screen.
const QUERY_TIMEOUT_MS: i32 = 1000;

/// The terminal's picture protocol, and each image encoded for it (kept between frames so an
/// unchanged picture is not sent again).
pub struct Graphics {
    picker: Option<Picker>,
    protocols: HashMap<ImageId, StatefulProtocol>,
}

impl Graphics {
    /// No inline pictures: previews are half blocks.
    pub fn none() -> Graphics {
        Graphics {
            picker: None,
            protocols: HashMap::new(),
        }
    }

    /// Asks the terminal what it supports. Must run after the alternate screen is entered and
    /// before any input is read (the answer arrives on stdin); gives up after a timeout.
    /// `mode` overrides what is found, since SSH hides the terminal's identity.
    pub fn detect(mode: ImageMode) -> Graphics {
        if matches!(mode, ImageMode::Blocks | ImageMode::None) {
            return Graphics::none();
        }
        let options = QueryStdioOptions {
            timeout_ms: QUERY_TIMEOUT_MS,
            ..QueryStdioOptions::default()
        };
        let Ok(mut picker) = Picker::from_query_stdio_with_options(options) else {
            return Graphics::none();
        };
        match mode {
            ImageMode::Kitty => picker.set_protocol_type(ProtocolType::Kitty),
            ImageMode::Iterm => picker.set_protocol_type(ProtocolType::Iterm2),
            ImageMode::Sixel => picker.set_protocol_type(ProtocolType::Sixel),
            _ => {}
        }
        let usable = match picker.protocol_type() {
            // Our own half blocks are crisper (nearest-neighbour, two pixels per cell).
            ProtocolType::Halfblocks => false,
            // ratatui-image places kitty pictures with unicode placement cells, which kitty
            // understands from 0.28 on; older kittys show those cells as boxes. Detection
            // cannot tell the version, so kitty graphics are used only when asked for.
            ProtocolType::Kitty => mode == ImageMode::Kitty,
            ProtocolType::Sixel | ProtocolType::Iterm2 => true,
        };
        if !usable {
            return Graphics::none();
        }
        Graphics {
            picker: Some(picker),
            protocols: HashMap::new(),
        }
    }

    pub fn active(&self) -> bool {
        self.picker.is_some()
    }

    /// Draws `thumb` in `area` with the terminal's protocol; false when there is none.
    pub fn render(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        image: ImageId,
        thumb: &Thumbnail,
    ) -> bool {
        let Some(picker) = &self.picker else {
            return false;
        };
        let protocol = self.protocols.entry(image).or_insert_with(|| {
            // Whole-pixel enlargement first, so the protocol's own scaling cannot blur digits.
            let factor = (256 / thumb.width.max(thumb.height).max(1)).max(1) as u32;
            picker.new_resize_protocol(upscale(thumb, factor))
        });
        frame.render_stateful_widget(
            StatefulImage::default().resize(Resize::Fit(None)),
            area,
            protocol,
        );
        // Encoded pictures are small; keep a bounded number.
        if self.protocols.len() > 256 {
            self.protocols.retain(|&k, _| k == image);
        }
        true
    }
}
