//! Misclassified images: a navigable list, and for the selected one its preview, top-5
//! probabilities, history over training and its nearest images of both classes. A click
//! on a row of the list or of a neighbour list selects it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use crate::tui::app::{App, MisFocus};
use crate::tui::theme::Theme;
use crate::tui::views::{Target, list_row};

/// Where the view draws its parts.
struct Areas {
    list: Rect,
    detail: Rect,
    picture: Rect,
    facts: Rect,
    /// The nearest images of the predicted class, then of the true class.
    neighbours: [Rect; 2],
}

fn areas(area: Rect) -> Areas {
    let [list, detail] =
        Layout::horizontal([Constraint::Length(34), Constraint::Min(20)]).areas(area);
    let [top, neighbours] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Min(6)]).areas(detail);
    let [picture, facts] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(20)]).areas(top);
    let neighbours = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
        .areas(neighbours);
    Areas {
        list,
        detail,
        picture,
        facts,
        neighbours,
    }
}

/// A click on a row of the list hits that mistake; on a row of a neighbour list, that
/// neighbour.
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    let areas = areas(area);
    let list = app.visible_mistakes();
    let rows = Block::bordered().inner(areas.list);
    let first = app
        .scroll
        .mistakes
        .offset(app.mis.selected, list.len(), rows.height);
    if let Some(row) = list_row(rows, at, first, list.len()) {
        return Some(Target::MistakeRow(row));
    }
    let item = list.get(app.mis.selected)?;
    let lists = app.neighbour_lists(item.image)?;
    (0..2).find_map(|which| {
        let len = lists.get(which)?.1.len();
        let rows = Block::bordered().inner(areas.neighbours[which]);
        let scroll = &app.scroll.neighbours[which];
        let first = scroll.offset(neighbour_selected(app, which), len, rows.height);
        list_row(rows, at, first, len).map(|row| Target::NeighbourRow(which, row))
    })
}

/// The row of neighbour list `which` that is highlighted, when that list has the focus.
fn neighbour_selected(app: &App, which: usize) -> usize {
    if app.mis.focus == MisFocus::Neighbours(which) {
        app.mis.neighbour_selected[which]
    } else {
        0
    }
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let areas = areas(area);
    render_list(frame, areas.list, app, theme);
    let Some(item) = app.visible_mistakes().get(app.mis.selected).copied() else {
        let msg = if app.scores().is_some() {
            "no misclassified images here"
        } else {
            "computing…"
        };
        frame.render_widget(Paragraph::new(msg).block(Block::bordered()), areas.detail);
        return;
    };
    let shown = app.mis_image().unwrap_or(item.image);
    let title = if shown == item.image {
        format!(" image {shown} ")
    } else {
        format!(" neighbour {shown} ")
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(areas.picture);
    frame.render_widget(block, areas.picture);
    super::preview::draw(frame, inner, app, shown, theme, gfx);
    render_facts(frame, areas.facts, app, theme, shown);
    for (which, &rect) in areas.neighbours.iter().enumerate() {
        render_neighbours(frame, rect, app, theme, item.image, which);
    }
}

fn render_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let list = app.visible_mistakes();
    let total = app.scores().map_or(0, |s| s.misclassified.len());
    let mut title = format!(" {} of {} wrong ", list.len(), total);
    if let Some(l) = app.mis.filter_label {
        title.push_str(&format!("true={} ", app.class_name(l)));
    }
    if let Some(p) = app.mis.filter_predicted {
        title.push_str(&format!("pred={} ", app.class_name(p)));
    }
    let items: Vec<ListItem> = list
        .iter()
        .map(|m| {
            ListItem::new(Line::from(vec![
                Span::raw(format!("{:>6} ", m.image)),
                Span::styled(
                    format!("{:>5.5}", app.class_name(m.label)),
                    Style::default().fg(theme.class(m.label as usize)),
                ),
                Span::raw(" → "),
                Span::styled(
                    format!("{:<5.5}", app.class_name(m.predicted)),
                    Style::default().fg(theme.class(m.predicted as usize)),
                ),
                Span::styled(format!(" {:.2}", m.confidence), theme.muted()),
            ]))
        })
        .collect();
    let focused = app.mis.focus == MisFocus::List;
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

fn render_facts(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, image: u32) {
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

fn render_neighbours(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    image: u32,
    which: usize,
) {
    let Some(lists) = app.neighbour_lists(image) else {
        frame.render_widget(
            Paragraph::new("neighbours: computing…")
                .style(theme.muted())
                .block(Block::bordered()),
            area,
        );
        return;
    };
    let Some((class, list)) = lists.get(which) else {
        return;
    };
    let kind = if which == 0 { "pred." } else { "true" };
    let title = format!(" nearest {} ({kind}) ", app.class_name(*class));
    let items: Vec<ListItem> = list
        .iter()
        .map(|n| {
            ListItem::new(format!(
                "{:>5} {:<5.5} d={:.3}",
                n.image,
                app.class_name(app.catalog.labels[n.image as usize]),
                n.distance
            ))
        })
        .collect();
    let focused = app.mis.focus == MisFocus::Neighbours(which);
    let rows = Block::bordered().inner(area).height;
    let mut state = ListState::default()
        .with_selected(focused.then_some(app.mis.neighbour_selected[which]))
        .with_offset(app.scroll.neighbours[which].scroll(
            neighbour_selected(app, which),
            list.len(),
            rows,
        ));
    let block = Block::bordered().title(title).border_style(if focused {
        theme.accent()
    } else {
        Style::default()
    });
    frame.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(theme.highlight()),
        area,
        &mut state,
    );
}
