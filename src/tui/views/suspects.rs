//! Suspected label errors (view 5): the ranked queue as of the current step, each row with
//! its given and suggested label and its score; the selected image beside pictures of its
//! nearest images of the suggested and of the given class (`neighbour_grids`), with why it
//! is suspect above them. A click on a row or on a neighbour's picture selects it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

use super::neighbour_grids::{self, Selection};
use crate::query::suspects::{Suspect, SuspectQueue};
use crate::tui::app::{App, MisFocus};
use crate::tui::marks::mark_glyph;
use crate::tui::theme::Theme;
use crate::tui::views::{Target, list_row};

/// Screens at least this wide get the wide list and the large picture.
const WIDE: u16 = 110;

/// The queue on the left; right of it the reason line, then the pictures.
fn areas(area: Rect) -> [Rect; 3] {
    let wide = area.width >= WIDE;
    let [list, detail] = Layout::horizontal([
        Constraint::Length(if wide { 40 } else { 24 }),
        Constraint::Min(20),
    ])
    .areas(area);
    let [reason, pictures] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(detail);
    [list, reason, pictures]
}

fn selection(app: &App) -> Selection {
    Selection {
        focus: app.suspects.focus,
        chosen: app.suspects.neighbour_selected,
    }
}

/// A click on a row of the queue hits that suspect; on a neighbour's picture, that one.
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    let [list_area, _, pictures] = areas(area);
    let queue = &app.suspect_queue()?.suspects;
    let rows = Block::bordered().inner(list_area);
    let first = app
        .scroll
        .suspects
        .offset(app.suspects.selected, queue.len(), rows.height);
    if let Some(row) = list_row(rows, at, first, queue.len()) {
        return Some(Target::SuspectRow(row));
    }
    let lists = app.suspect_neighbours()?;
    let grids = neighbour_grids::areas(pictures, area.width >= WIDE);
    neighbour_grids::hit(app, &grids, lists, selection(app), at)
        .map(|(which, i)| Target::SuspectNeighbour(which, i))
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let [list_area, reason, pictures] = areas(area);
    let Some(queue) = app.suspect_queue() else {
        let msg = if app.catalog.prediction_layer().is_none() {
            "this run has no class scores: no label can be suspected"
        } else {
            "computing the queue of suspected label errors (reads every step up to this one)…"
        };
        frame.render_widget(
            Paragraph::new(msg)
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title(" suspects ")),
            area,
        );
        return;
    };
    render_list(frame, list_area, app, theme, queue);
    let Some(s) = app.selected_suspect() else {
        frame.render_widget(
            Paragraph::new("no suspected label errors as of this step").block(Block::bordered()),
            pictures.union(reason),
        );
        return;
    };
    frame.render_widget(
        Paragraph::new(why(app, theme, s)).wrap(Wrap { trim: true }),
        reason,
    );
    let title = format!(
        " image {} (labelled {}, looks like {}) ",
        s.image,
        app.class_name(s.given),
        app.class_name(s.suggested)
    );
    super::picture_grid::many_pictures(gfx, |gfx| {
        neighbour_grids::render(
            frame,
            &neighbour_grids::areas(pictures, area.width >= WIDE),
            app,
            theme,
            gfx,
            (s.image, title),
            app.suspect_neighbours(),
            selection(app),
            ["suggested", "given"],
        )
    });
}

/// Why `s` is suspect: its labels and the evidence the score is made of.
fn why<'a>(app: &App, theme: &Theme, s: &Suspect) -> Line<'a> {
    let mut parts = vec![
        format!("score {:.2}", s.score),
        format!("p(given) {:.2} now", s.self_confidence),
    ];
    if let (Some(mean), Some(sd)) = (s.p_given_mean, s.p_given_sd) {
        parts.push(format!("{mean:.2} ± {sd:.2} over training"));
    }
    if let Some(aum) = s.aum {
        parts.push(format!("margin {aum:.2}"));
    }
    if s.confident {
        parts.push("flagged by confident learning".into());
    }
    if let Some(mark) = app.marks.marks.get(s.image) {
        parts.push(format!("your mark: {}", mark.as_str()));
    }
    let name = s
        .name
        .as_deref()
        .map(|n| format!(" {}", crate::text::escape(n)))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(
            format!(
                " image {}{name}: labelled {}, looks like {}  ",
                s.image,
                app.class_name(s.given),
                app.class_name(s.suggested)
            ),
            theme.accent(),
        ),
        Span::styled(parts.join(", "), theme.muted()),
    ])
}

/// One row per suspect, in rank order: rank, image, given → suggested, score; a dot when
/// confident learning flags it.
fn render_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, queue: &SuspectQueue) {
    let wide = area.width >= 40;
    // Narrow lists (small screens) give class names four characters, so that neighbours'
    // pictures keep four columns.
    let w = if wide { 6 } else { 4 };
    let items: Vec<ListItem> = queue
        .suspects
        .iter()
        .enumerate()
        .map(|(rank, s)| {
            let mut spans = vec![];
            if wide {
                spans.push(Span::raw(format!("{:>4} ", rank + 1)));
            }
            spans.extend([
                Span::raw(format!("{:>w$} ", s.image, w = if wide { 6 } else { 5 })),
                Span::styled(
                    format!("{:>w$.w$}", app.class_name(s.given)),
                    Style::default().fg(theme.class(s.given as usize)),
                ),
                Span::raw(if wide { " → " } else { "→" }),
                Span::styled(
                    format!("{:<w$.w$}", app.class_name(s.suggested)),
                    Style::default().fg(theme.class(s.suggested as usize)),
                ),
                Span::styled(format!(" {:.2}", s.score), theme.muted()),
                // Narrow lists (22 columns inside) have room for the dot and the mark only
                // without their spaces.
                Span::styled(
                    match (s.confident, wide) {
                        (true, true) => " ●",
                        (false, true) => "  ",
                        (true, false) => "●",
                        (false, false) => " ",
                    },
                    theme.accent(),
                ),
                Span::styled(
                    mark_glyph(app.marks.marks.get(s.image)).trim_start_matches(if wide {
                        ""
                    } else {
                        " "
                    }),
                    theme.accent(),
                ),
            ]);
            ListItem::new(Line::from(spans))
        })
        .collect();
    let n = queue.suspects.len();
    let rows = Block::bordered().inner(area).height;
    let mut state = ListState::default()
        .with_selected((n > 0).then(|| app.suspects.selected.min(n - 1)))
        .with_offset(app.scroll.suspects.scroll(app.suspects.selected, n, rows));
    let style = if app.suspects.focus == MisFocus::List {
        theme.highlight()
    } else {
        theme.muted()
    };
    let title = format!(" {n} suspects as of step {} ", queue.step);
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(title))
            .highlight_style(style),
        area,
        &mut state,
    );
}
