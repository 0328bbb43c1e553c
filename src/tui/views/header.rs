//! Run name, step and epoch, layer, tabs, and the labelled accuracy line with the current
//! step marked; a click on a tab shows its view.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, View};
use crate::tui::theme::Theme;
use crate::tui::views::Target;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let steps = &app.catalog.steps;
    let name = app
        .catalog
        .run_name()
        .map(|n| crate::text::escape(n).into_owned())
        .unwrap_or_else(|| {
            app.path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let mut top = vec![Span::styled(format!(" {name} "), theme.accent())];
    match steps.get(app.step_index) {
        Some(s) => {
            top.push(Span::raw(format!(
                "step {} ({}/{})",
                s.step,
                app.step_index + 1,
                steps.len()
            )));
            if let Some(e) = s.epoch {
                top.push(Span::styled(format!(" epoch {e:.2}"), theme.muted()));
            }
        }
        None => top.push(Span::raw("no steps yet")),
    }
    if let Some(acc) = app.scores().map(|s| s.accuracy) {
        top.push(Span::raw(format!("  acc {:.1}%", acc * 100.0)));
    }
    top.push(Span::raw(format!(
        "  layer {}",
        crate::text::escape(&app.layer)
    )));
    if app.playing {
        top.push(Span::styled("  ▶ playing", theme.accent()));
    }
    // Only while steps arrive: a finished run is not followed, whatever F says.
    if app.follow && app.step_index + 1 == steps.len() && app.is_live() {
        top.push(Span::styled("  following", theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(top)), area);
    let tabs = tabs(area);
    for &(v, i, tab) in &tabs {
        let style = if v == app.view {
            theme.highlight()
        } else {
            theme.muted()
        };
        frame.render_widget(Paragraph::new(Span::styled(tab_label(i, v), style)), tab);
    }
    // The accuracy line two columns after the last tab, labelled.
    let end = tabs.last().map_or(area.x, |&(_, _, t)| t.right());
    let rest = Rect::new(end.saturating_add(2), area.y + 1, area.width, 1).intersection(area);
    let room = (rest.width as usize).saturating_sub(5);
    if room >= 4 && !steps.is_empty() {
        let mut line = vec![Span::styled("acc ", theme.muted())];
        line.extend(sparkline(app, theme, room));
        frame.render_widget(Paragraph::new(Line::from(line)), rest);
    }
}

/// A tab as drawn: " N Title ".
fn tab_label(i: usize, view: View) -> String {
    format!(" {} {} ", i + 1, view.title())
}

/// Where each tab is drawn, with its number: one after another from the left of the
/// header's second row (cut at the header's edge).
fn tabs(area: Rect) -> Vec<(View, usize, Rect)> {
    let mut x = area.x;
    View::ALL
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let w = Span::raw(tab_label(i, v)).width() as u16;
            let tab = Rect::new(x, area.y + 1, w, 1).intersection(area);
            x = x.saturating_add(w);
            (v, i, tab)
        })
        .collect()
}

/// The tab under a click.
pub fn hit(area: Rect, at: Position) -> Option<Target> {
    tabs(area)
        .into_iter()
        .find(|(_, _, tab)| tab.contains(at))
        .map(|(v, _, _)| Target::Tab(v))
}

/// Accuracy over the steps, one bar per step (sampled when there are more steps than room),
/// the current step in the accent colour (reversed, a full bar would vanish).
fn sparkline<'a>(app: &App, theme: &Theme, width: usize) -> Vec<Span<'a>> {
    let n = app.catalog.steps.len();
    if n == 0 || width < 4 {
        return vec![];
    }
    let shown = n.min(width);
    let accuracies = app.cache.accuracies.as_deref().unwrap_or(&[]);
    let current_slot = app.step_index * shown / n;
    (0..shown)
        .map(|slot| {
            let i = slot * n / shown;
            let step = app.catalog.steps[i].step;
            let bar = accuracies
                .iter()
                .find(|(s, _)| *s == step)
                .map_or('·', |(_, a)| {
                    BARS[((a * BARS.len() as f64) as usize).min(BARS.len() - 1)]
                });
            let style = if slot == current_slot {
                let accent = theme.accent();
                // Without colours, reversed it is: still a mark, but for a full bar.
                match accent.fg {
                    Some(_) => accent,
                    None => accent.add_modifier(Modifier::REVERSED),
                }
            } else {
                Style::default().fg(theme.scale(0.75))
            };
            Span::styled(bar.to_string(), style)
        })
        .collect()
}
