//! The help overlay: every key, scrolled with the arrows when the screen is too short.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centred;
use crate::tui::app::App;
use crate::tui::keymap::HELP;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // Where the view names do not fit beside the text (80 columns), the tabs' numbers.
    let narrow = area.width < 96;
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, what, views)| {
            let views = if narrow {
                tab_numbers(views)
            } else {
                views.to_string()
            };
            Line::from(vec![
                Span::styled(format!("{keys:>14}  "), theme.accent()),
                Span::raw(format!("{what:<56}")),
                Span::styled(format!(" {views}"), theme.muted()),
            ])
        })
        .collect();
    let popup = centred(area, 96, lines.len() as u16 + 2);
    // Too short for every key: the arrows scroll, and the title says so.
    let rows = popup.height.saturating_sub(2);
    let hidden = (lines.len() as u16).saturating_sub(rows);
    let scroll = app.help_scroll.min(hidden);
    let title = if hidden > 0 {
        format!(
            " keys {}-{} of {} (↑↓ scroll, Esc closes) ",
            scroll + 1,
            scroll + rows,
            lines.len()
        )
    } else {
        " keys (Esc closes) ".to_string()
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(Block::bordered().title(title)),
        popup,
    );
}

/// "projection, similarity" as the tabs' numbers, "1 2"; "all" stays.
fn tab_numbers(views: &str) -> String {
    views
        .split(", ")
        .map(|v| match v {
            "projection" => "1",
            "similarity" => "2",
            "misclassified" => "3",
            "clusters" => "4",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}
