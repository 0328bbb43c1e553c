//! The help overlay: every key.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centred;
use crate::tui::keymap::HELP;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, theme: &Theme) {
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, what, views)| {
            Line::from(vec![
                Span::styled(format!("{keys:>14}  "), theme.accent()),
                Span::raw(format!("{what:<56}")),
                Span::styled(format!(" {views}"), theme.muted()),
            ])
        })
        .collect();
    let popup = centred(area, 96, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" keys (Esc closes) ")),
        popup,
    );
}
