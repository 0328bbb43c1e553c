//! Misclassified images: a navigable list, and the selected one beside pictures of its
//! nearest images of the predicted and of the true class (`neighbour_grids`), with the
//! chosen image's top-5 probabilities and history over training. A click on a row of the
//! list or on a neighbour's picture selects it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use super::neighbour_grids::{self, Selection};
use crate::tui::app::{App, MisFocus};
use crate::tui::theme::Theme;
use crate::tui::views::{Target, list_row};

/// Screens at least this wide get the wide list and the large picture.
const WIDE: u16 = 110;

/// Where the view draws its list, and right of it the rest.
fn areas(area: Rect) -> [Rect; 2] {
    let list_w = if area.width >= WIDE { 34 } else { 24 };
    Layout::horizontal([Constraint::Length(list_w), Constraint::Min(20)]).areas(area)
}

/// Which neighbour grid has the keyboard and what each has chosen.
fn selection(app: &App) -> Selection {
    Selection {
        focus: app.mis.focus,
        chosen: app.mis.neighbour_selected,
    }
}

/// A click on a row of the list hits that mistake; on a neighbour's picture, that
/// neighbour.
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    let [list_area, detail] = areas(area);
    let list = app.visible_mistakes();
    let rows = Block::bordered().inner(list_area);
    let first = app
        .scroll
        .mistakes
        .offset(app.mis.selected, list.len(), rows.height);
    if let Some(row) = list_row(rows, at, first, list.len()) {
        return Some(Target::MistakeRow(row));
    }
    let lists = app.neighbour_lists(app.mis_selected_image()?)?;
    let grids = neighbour_grids::areas(detail, area.width >= WIDE);
    neighbour_grids::hit(app, &grids, lists, selection(app), at)
        .map(|(which, i)| Target::Neighbour(which, i))
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let [list_area, detail] = areas(area);
    render_list(frame, list_area, app, theme);
    let Some(image) = app.mis_selected_image() else {
        let msg = if app.scores().is_some() {
            "no misclassified images here"
        } else {
            "computing…"
        };
        frame.render_widget(Paragraph::new(msg).block(Block::bordered()), detail);
        return;
    };
    let label = app.catalog.labels[image as usize];
    let predicted = app
        .scores()
        .map_or(label, |s| s.predictions[image as usize].class);
    let title = if predicted == label {
        format!(" image {image} ({} ✓) ", app.class_name(label))
    } else {
        format!(
            " image {image} ({} → {}) ",
            app.class_name(label),
            app.class_name(predicted)
        )
    };
    // A correct prediction is compared with the class it is most nearly taken for.
    let kinds = if predicted == label {
        ["runner-up", "true"]
    } else {
        ["pred.", "true"]
    };
    super::picture_grid::many_pictures(gfx, |gfx| {
        neighbour_grids::render(
            frame,
            &neighbour_grids::areas(detail, area.width >= WIDE),
            app,
            theme,
            gfx,
            (image, title),
            app.neighbour_lists(image),
            selection(app),
            kinds,
        )
    });
}

fn render_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let list = app.visible_mistakes();
    let total = app.scores().map_or(0, |s| s.misclassified.len());
    let mut title = format!(" {} of {} wrong ", list.len(), total);
    if app.mis.pinned.is_some() {
        // An image sent here from a grid is shown instead of the list's selection.
        title = format!(" {total} wrong · Esc: back to them ");
    }
    if let Some(l) = app.mis.filter_label {
        title.push_str(&format!("true={} ", app.class_name(l)));
    }
    if let Some(p) = app.mis.filter_predicted {
        title.push_str(&format!("pred={} ", app.class_name(p)));
    }
    let suspects = app.suspect_mask();
    let items: Vec<ListItem> = list
        .iter()
        .map(|m| {
            // Narrow lists (small screens) give class names four characters.
            let (w, arrow) = if area.width >= 34 {
                (5, " → ")
            } else {
                (4, "→")
            };
            ListItem::new(Line::from(vec![
                Span::raw(format!("{:>6} ", m.image)),
                Span::styled(
                    format!("{:>w$.w$}", app.class_name(m.label)),
                    Style::default().fg(theme.class(m.label as usize)),
                ),
                Span::raw(arrow),
                Span::styled(
                    format!("{:<w$.w$}", app.class_name(m.predicted)),
                    Style::default().fg(theme.class(m.predicted as usize)),
                ),
                Span::styled(format!(" {:.2}", m.confidence), theme.muted()),
                // A suspected label error (view 5's queue): perhaps the label, not the
                // network, is wrong.
                Span::styled(
                    match &suspects {
                        Some(mask) if mask.get(m.image as usize) == Some(&true) => " ●",
                        _ => "",
                    },
                    theme.accent(),
                ),
            ]))
        })
        .collect();
    // An image sent here is not the list's: the list's selection waits, unmarked.
    let focused = app.mis.focus == MisFocus::List && app.mis.pinned.is_none();
    let rows = Block::bordered().inner(area).height;
    let mut state = ListState::default()
        .with_selected((!list.is_empty()).then(|| app.mis.selected.min(list.len() - 1)))
        .with_offset(
            app.scroll
                .mistakes
                .scroll(app.mis.selected, list.len(), rows),
        );
    let style = if focused {
        theme.highlight()
    } else {
        theme.muted()
    };
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(title))
            .highlight_style(style),
        area,
        &mut state,
    );
}

/// The chosen image's class, name, top-5 probabilities and p(true) over training.
pub(super) fn render_facts(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, image: u32) {
    let label = app.catalog.labels[image as usize];
    let mut lines = vec![Line::from(vec![
        Span::raw("true "),
        Span::styled(app.class_name(label), theme.accent()),
    ])];
    if let Some(name) = &app.catalog.image_names[image as usize] {
        lines.push(Line::styled(
            crate::text::escape(name).into_owned(),
            theme.muted(),
        ));
    }
    if let Some(scores) = app.scores() {
        let probs = scores.probabilities.row(image as usize);
        let mut top: Vec<(usize, f32)> = probs.iter().copied().enumerate().collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let bar_w = area.width.saturating_sub(16).max(4) as f32;
        for (class, p) in top.into_iter().take(5) {
            let bar = "█".repeat((p * bar_w).round() as usize);
            let colour = if class as u32 == label {
                theme.correct()
            } else {
                theme.class(class)
            };
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "{:>6.6} {:>4.0}% ",
                    app.class_name(class as u32),
                    p * 100.0
                )),
                Span::styled(bar, Style::default().fg(colour)),
            ]));
        }
    }
    let text_h = (lines.len() as u16 + 1).min(area.height);
    let [text, history] =
        Layout::vertical([Constraint::Length(text_h), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(lines), text);
    match app.cache.histories.get(&image) {
        Some(Some(h)) => super::history_chart::render(frame, history, h, theme),
        _ if history.height > 0 => frame.render_widget(
            Paragraph::new("history: computing…").style(theme.muted()),
            history,
        ),
        _ => {}
    }
}
