//! Inline pictures on terminals with a graphics protocol: sixel and iTerm2 through
//! ratatui-image, which draws them in step with ratatui's buffer; kitty by classic placement
//! (`kitty.rs`), which every kitty version understands. Everywhere else, and in tests,
//! previews are half blocks drawn by `views::preview`.

use std::collections::HashMap;
use std::os::fd::OwnedFd;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{Resize, StatefulImage};

use super::kitty::KittyPlacements;
use crate::model::{ImageId, Thumbnail};
use crate::picture::{ImageMode, QUERY_TIMEOUT_MS, upscale};

/// The terminal's picture protocol, and each image encoded for it at each size it is drawn
/// (kept between frames so an unchanged picture is not sent again; a grid shows many at once,
/// and one image may be both a grid tile and the large picture beside it).
pub struct Graphics {
    picker: Option<Picker>,
    protocols: HashMap<(ImageId, u16, u16), StatefulProtocol>,
    kitty: Option<KittyPlacements>,
    /// False while drawing under an overlay: previews there are half blocks.
    enabled: bool,
    /// Whether screens of many pictures may use the protocol (see `detect`).
    grids: bool,
}

impl Graphics {
    /// No inline pictures: previews are half blocks.
    pub fn none() -> Graphics {
        Graphics {
            picker: None,
            protocols: HashMap::new(),
            kitty: None,
            enabled: true,
            grids: true,
        }
    }

    /// Asks the terminal what it supports. Must run after the alternate screen is entered and
    /// while nothing else reads input (the answer arrives on stdin); gives up after a timeout.
    /// `mode` overrides what is found, since SSH hides the terminal's identity. `stdio`
    /// replaces stdin and stdout for the query (see `probe`).
    pub fn detect(mode: ImageMode, stdio: Option<(OwnedFd, OwnedFd)>) -> Graphics {
        if matches!(mode, ImageMode::Blocks | ImageMode::None) {
            return Graphics::none();
        }
        let options = QueryStdioOptions {
            timeout_ms: QUERY_TIMEOUT_MS,
            stdio,
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
        let in_tmux = std::env::var_os("TMUX").is_some();
        match picker.protocol_type() {
            // Our own half blocks are crisper (nearest-neighbour, two pixels per cell).
            ProtocolType::Halfblocks => Graphics::none(),
            // Classic placement, which every kitty understands, at the positions ratatui
            // drew. Inside tmux only ratatui-image's unicode placeholders follow the panes,
            // and those need kitty 0.28 or newer, which detection cannot tell: only on request.
            ProtocolType::Kitty if !in_tmux => Graphics {
                kitty: Some(KittyPlacements::new({
                    let f = picker.font_size();
                    (f.width, f.height)
                })),
                ..Graphics::none()
            },
            ProtocolType::Kitty if mode != ImageMode::Kitty => Graphics::none(),
            // Through tmux, sixel and iTerm2 pictures pass to the outer terminal, which
            // tmux does not tell where they go: with a screen of pictures (a mistake beside
            // sixteen neighbours) some were drawn over the header's corner and some not at
            // all (xterm, tmux 3.3), where one preview and the clusters grid were in place.
            ProtocolType::Kitty | ProtocolType::Sixel | ProtocolType::Iterm2 => Graphics {
                picker: Some(picker),
                grids: !in_tmux,
                ..Graphics::none()
            },
        }
    }

    /// After a frame is flushed: sends the kitty pictures that changed (nothing to do for
    /// the other protocols, which live in ratatui's buffer). `screen` is the size in cells.
    pub fn after_draw(&mut self, screen: (u16, u16)) -> std::io::Result<()> {
        match &mut self.kitty {
            Some(kitty) => kitty.flush(&mut std::io::stdout().lock(), screen),
            None => Ok(()),
        }
    }

    /// Whether `render` may draw terminal pictures (see `views::draw`).
    pub fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
    }

    /// Whether `render` may draw terminal pictures now.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Whether a screen of many pictures may use the protocol (else half blocks).
    pub fn grids(&self) -> bool {
        self.grids
    }

    pub fn active(&self) -> bool {
        self.picker.is_some() || self.kitty.is_some()
    }

    /// Draws `thumb` in `area` with the terminal's protocol; false when there is none.
    pub fn render(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        image: ImageId,
        thumb: &Thumbnail,
    ) -> bool {
        if !self.enabled {
            return false;
        }
        if let Some(kitty) = &mut self.kitty {
            kitty.place(frame.buffer_mut(), area, image, thumb);
            return true;
        }
        let Some(picker) = &self.picker else {
            return false;
        };
        let key = (image, area.width, area.height);
        // Encoded pictures are small; keep a bounded number.
        if self.protocols.len() >= 512 && !self.protocols.contains_key(&key) {
            self.protocols.clear();
        }
        let protocol = self.protocols.entry(key).or_insert_with(|| {
            // Whole-pixel enlargement first, so the protocol's own scaling cannot blur digits.
            let factor = (256 / thumb.width.max(thumb.height).max(1)).max(1) as u32;
            picker.new_resize_protocol(upscale(thumb, factor))
        });
        frame.render_stateful_widget(
            StatefulImage::default().resize(Resize::Fit(None)),
            area,
            protocol,
        );
        true
    }
}
