//! The keys that matter in the current view, and what is being computed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, View};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let keys = match app.view {
        View::Projection => {
            "←→ step  space play  m PCA/t-SNE/UMAP  wasd cursor  WASD pan  +/- zoom  c colour  f/p highlight"
        }
        View::Similarity => {
            "←→ step  ↑↓ a/d cursor  Enter images  s source  o linkage  r order  m confusion"
        }
        View::Misclassified => "←→ step  ↑↓ select  n neighbours  t/p filter  x clear  S sort",
        View::Clusters => "←→ step  ↑↓ cluster  +/- k",
    };
    let mut spans = vec![];
    if let Some(status) = &app.status {
        // Errors quote names from the file.
        let status = crate::text::escape(status);
        spans.push(Span::styled(format!(" {status} "), theme.accent()));
    } else if !app.pending.is_empty() {
        let mut what: Vec<&str> = app.pending.iter().map(|k| k.kind()).collect();
        what.sort_unstable();
        what.dedup();
        spans.push(Span::styled(
            format!(" computing {}… ", what.join(", ")),
            theme.accent(),
        ));
    }
    spans.push(Span::styled(
        format!(" {keys}  ? help  q quit"),
        theme.muted(),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
