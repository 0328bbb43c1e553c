//! The keys that matter in the current view, and what is being computed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, View};
use crate::tui::jobs::{JobKey, projection_key};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let keys = match app.view {
        View::Projection => {
            "←→ step  space play  m PCA/t-SNE/UMAP  wasd cursor  WASD pan  +/- zoom  c colour  f/p/e highlight  v select"
        }
        View::Similarity => {
            "h/l step  ←→↑↓ cursor  Enter images  s source  o linkage  r order  m confusion  t table"
        }
        View::Misclassified => {
            "←→ step  ↑↓ select  n neighbours  t/p filter  x clear  S sort  ● label suspect"
        }
        View::Clusters => "←→ step  ↑↓ cluster  +/- k",
        View::Suspects => "←→ step  ↑↓ select  n neighbours  x/v/u mark wrong/right/unsure",
    };
    let mut spans = vec![];
    let waiting = waited_for(app);
    if let Some(status) = &app.status {
        // Errors quote names from the file.
        let status = crate::text::escape(status);
        spans.push(Span::styled(format!(" {status} "), theme.accent()));
    } else if !waiting.is_empty() {
        let mut what: Vec<&str> = waiting.iter().map(|k| k.kind()).collect();
        what.sort_unstable();
        what.dedup();
        spans.push(Span::styled(
            format!(" computing {}… ", what.join(", ")),
            theme.accent(),
        ));
    }
    spans.push(Span::styled(format!(" {keys}"), theme.muted()));
    // The way to the rest of the keys and out stays visible however narrow the screen.
    const ALWAYS: &str = "  ? help  q quit ";
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(ALWAYS.len() as u16)])
            .areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(Paragraph::new(ALWAYS).style(theme.muted()), right);
}

/// The pending work the user waits for: not the once-a-second look for new steps, nor a
/// map that is no longer the one on screen (a t-SNE run cannot be stopped midway).
fn waited_for(app: &App) -> Vec<&JobKey> {
    let shown_map = app
        .step()
        .map(|s| projection_key(s, &app.layer, app.projection.method));
    app.pending
        .iter()
        .filter(|k| match k {
            JobKey::Refresh => false,
            JobKey::Projection(..) => Some(*k) == shown_map.as_ref(),
            _ => true,
        })
        .collect()
}
