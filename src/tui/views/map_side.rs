//! The projection's side panel: what the colours mean and what is highlighted, what is said
//! about the map (explained variance, KL, perplexity), the rectangle selected, and the
//! image under the cursor with its picture.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, ColourBy, Focus};
use crate::tui::theme::Theme;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let mut lines = legend(app, theme);
    lines.extend(super::map_region::facts(app, theme));
    lines.extend(map_facts(app, theme));
    lines.push(Line::raw(""));
    lines.extend(cursor_facts(app, theme));
    let text_height = (lines.len() as u16).min(area.height);
    let [text, picture] =
        Layout::vertical([Constraint::Length(text_height), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(lines), text);
    if let Some(i) = app.projection.cursor {
        super::preview::draw(frame, picture, app, i, theme, gfx);
    }
}

/// What the colours mean, and what is highlighted.
fn legend<'a>(app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines: Vec<Line> = Vec::new();
    let mode = match app.projection.colour_by {
        ColourBy::TrueClass => "true class",
        ColourBy::Predicted => "predicted class",
        ColourBy::Correctness => "correct / wrong",
        ColourBy::Cluster => "k-means cluster",
    };
    lines.push(Line::styled(format!("colour: {mode}"), theme.muted()));
    match app.projection.colour_by {
        ColourBy::Correctness => {
            lines.push(Line::from(vec![
                Span::styled("■", Style::default().fg(theme.correct())),
                Span::raw(" correct  "),
                Span::styled("■", Style::default().fg(theme.wrong())),
                Span::raw(" wrong"),
            ]));
        }
        ColourBy::Cluster => {
            let state = match app.current_clusters() {
                Some(_) => "",
                None => ": computing…",
            };
            lines.push(Line::raw(format!("k = {}{state}", app.cluster_k)));
        }
        _ => {
            let k = app.num_classes();
            let per_line = 3;
            let shown = k.min(20);
            for chunk in (0..shown).collect::<Vec<_>>().chunks(per_line) {
                let mut spans = vec![];
                for &c in chunk {
                    spans.push(Span::styled("■", Style::default().fg(theme.class(c))));
                    spans.push(Span::raw(format!(" {:<8.8}", app.class_name(c as u32))));
                }
                lines.push(Line::from(spans));
            }
            if k > 20 {
                lines.push(Line::styled(
                    format!("{k} classes: colours repeat every 20"),
                    theme.muted(),
                ));
            }
        }
    }
    if let Some(focus) = app.projection.focus {
        let what = match focus {
            Focus::Class(c) => format!("highlight: {}", app.class_name(c)),
            Focus::Pair { label, predicted } => format!(
                "highlight: {} → {}",
                app.class_name(label),
                app.class_name(predicted)
            ),
            Focus::Suspects => match app.suspect_queue() {
                Some(q) => format!("highlight: {} suspects", q.suspects.len()),
                None => "highlight: suspects (computing…)".into(),
            },
        };
        lines.push(Line::styled(what, theme.accent()));
    }
    lines
}

/// What is reported with the map: explained variance, KL divergence, perplexity.
fn map_facts<'a>(app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if let Some(summary) = app.map_summary() {
        if let Some([a, b]) = summary.explained {
            lines.push(Line::styled(
                format!("variance {:.1}% + {:.1}%", a * 100.0, b * 100.0),
                theme.muted(),
            ));
        }
        if let Some(kl) = summary.kl {
            let cached = if summary.cached { " (cached)" } else { "" };
            lines.push(Line::styled(format!("KL {kl:.3}{cached}"), theme.muted()));
        }
        match summary.perplexity {
            Some((p, true)) => lines.push(Line::styled(
                format!("perplexity {p:.1}: lowered, too few images"),
                theme.accent(),
            )),
            Some((p, false)) => {
                lines.push(Line::styled(format!("perplexity {p:.1}"), theme.muted()))
            }
            None => {}
        }
    }
    lines
}

/// The image under the cursor: id, name, true class and prediction.
fn cursor_facts<'a>(app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if let Some(i) = app.projection.cursor {
        let label = app.catalog.labels[i as usize];
        lines.push(Line::styled(format!("image {i}"), theme.accent()));
        if let Some(name) = &app.catalog.image_names[i as usize] {
            lines.push(Line::raw(crate::text::escape(name).into_owned()));
        }
        lines.push(Line::raw(format!("true {}", app.class_name(label))));
        if let Some(p) = app.scores().map(|s| s.predictions[i as usize]) {
            let mark = if p.class == label { "✓" } else { "✗" };
            lines.push(Line::raw(format!(
                "pred {} ({:.2}) {mark}",
                app.class_name(p.class),
                p.confidence
            )));
        }
    } else {
        lines.push(Line::styled("wasd / ↑↓ move the cursor", theme.muted()));
    }
    lines
}
