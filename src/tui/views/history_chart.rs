//! One image's p(true) over training: its caption (when learned, how often forgotten, the
//! steps covered) wrapped to the width, and right under it a bar chart with its axis.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Sparkline};

use crate::analysis::history::ImageHistory;
use crate::tui::theme::Theme;

/// Most rows the bars take: a taller chart would push it away from its caption.
const MAX_ROWS: u16 = 4;
/// The axis labels' column: "1.0┤".
const AXIS_W: u16 = 4;

/// Draws the history in `area`: caption first, then the chart in what is left.
pub fn render(frame: &mut Frame, area: Rect, h: &ImageHistory, theme: &Theme) {
    let steps = match (h.steps.first(), h.steps.last()) {
        (Some(a), Some(b)) => format!(", steps {a}-{b}"),
        _ => String::new(),
    };
    let title = wrap(&format!("p(true) over training{steps}:"), area.width);
    let words = wrap(&crate::query::history::learned_words(h), area.width);
    let caption: Vec<Line> = if title.len() + words.len() < usize::from(area.height) {
        let title = title.into_iter().map(|l| Line::styled(l, theme.muted()));
        title.chain(words.into_iter().map(Line::raw)).collect()
    } else {
        // Short of room (80x24): what was learned comes first, the chart if it still fits.
        let words = crate::query::history::learned_words(h);
        let text = wrap(&format!("p(true): {words}"), area.width);
        text.into_iter().map(Line::raw).collect()
    };
    let caption_h = (caption.len() as u16).min(area.height);
    let chart_h = area.height.saturating_sub(caption_h).min(MAX_ROWS);
    let [text, chart, _] = Layout::vertical([
        Constraint::Length(caption_h),
        Constraint::Length(chart_h),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(caption), text);
    if chart.height == 0 || chart.width <= AXIS_W {
        return;
    }
    let [axis, bars] =
        Layout::horizontal([Constraint::Length(AXIS_W), Constraint::Min(1)]).areas(chart);
    let labels: Vec<Line> = (0..chart.height)
        .map(|row| match row {
            // One row: its bars span the whole range.
            0 if chart.height == 1 => "0-1┤".into(),
            0 => "1.0┤".into(),
            r if r + 1 == chart.height => "  0┤".into(),
            _ => "   │".into(),
        })
        .collect();
    frame.render_widget(Paragraph::new(labels).style(theme.muted()), axis);
    let data = sampled(&h.p_true, bars.width as usize);
    frame.render_widget(
        Sparkline::default()
            .data(&data)
            .max(100)
            .style(Style::default().fg(theme.scale(0.7))),
        bars,
    );
}

/// p(true) in percent, one value per column: every step when they fit, else evenly
/// sampled (the sparkline would cut the later steps off).
fn sampled(p_true: &[f32], width: usize) -> Vec<u64> {
    let n = p_true.len();
    let shown = n.min(width);
    (0..shown)
        .map(|i| (p_true[i * n / shown] * 100.0).round() as u64)
        .collect()
}

/// `text` in lines of at most `width` columns, broken between words (a word longer than
/// the width gets a line of its own, cut when drawn).
fn wrap(text: &str, width: u16) -> Vec<String> {
    let width = usize::from(width.max(1));
    let mut lines: Vec<String> = vec![];
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_wrap_between_words_and_long_runs_are_sampled() {
        assert_eq!(
            wrap("learned at step 40, never forgotten", 20),
            ["learned at step 40,", "never forgotten"]
        );
        assert_eq!(sampled(&[0.0, 0.5, 1.0, 1.0], 2), [0, 100]);
        assert_eq!(sampled(&[0.25], 8), [25]);
    }
}
