//! The 2-D map of a layer, drawn with braille dots (2x4 per cell). A cell where several
//! classes meet takes the colour of the majority, so no class hides another by drawing order.
//! A click on the map hits the image drawn nearest to the clicked cell.

use ndarray::Array2;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::model::ImageId;
use crate::tui::app::{App, ColourBy, Focus};
use crate::tui::jobs::projection_key;
use crate::tui::theme::Theme;
use crate::tui::views::Target;

/// Bit of each dot of a braille cell, indexed [x][y].
const DOTS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
const DIM: u32 = u32::MAX;

/// Centre of the points' bounding box.
pub fn data_centre(points: &Array2<f32>) -> (f32, f32) {
    let (x0, x1, y0, y1) = bounds(points);
    ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
}

/// The bounding box (x0, x1, y0, y1) of the points.
pub fn bounds(points: &Array2<f32>) -> (f32, f32, f32, f32) {
    let mut b = (
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
    );
    for p in points.rows() {
        b = (b.0.min(p[0]), b.1.max(p[0]), b.2.min(p[1]), b.3.max(p[1]));
    }
    if !b.0.is_finite() {
        return (-1.0, 1.0, -1.0, 1.0);
    }
    b
}

/// Maps data coordinates to dot coordinates of a `w` x `h` dot canvas.
pub struct Viewport {
    cx: f32,
    cy: f32,
    half_w: f32,
    half_h: f32,
    w: usize,
    h: usize,
}

impl Viewport {
    pub fn new(
        points: &Array2<f32>,
        zoom: f32,
        centre: Option<(f32, f32)>,
        w: usize,
        h: usize,
    ) -> Viewport {
        let (x0, x1, y0, y1) = bounds(points);
        let (cx, cy) = centre.unwrap_or(((x0 + x1) / 2.0, (y0 + y1) / 2.0));
        let margin = 1.05 / zoom.max(1.0);
        let half_w = ((x1 - x0) / 2.0 * margin).max(1e-6);
        let half_h = ((y1 - y0) / 2.0 * margin).max(1e-6);
        Viewport {
            cx,
            cy,
            half_w,
            half_h,
            w,
            h,
        }
    }

    pub fn dot(&self, x: f32, y: f32) -> Option<(usize, usize)> {
        let u = (x - self.cx) / self.half_w * 0.5 + 0.5;
        let v = 0.5 - (y - self.cy) / self.half_h * 0.5;
        if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
            return None;
        }
        Some(((u * self.w as f32) as usize, (v * self.h as f32) as usize))
    }
}

/// What the worker is doing for the current map, for the title while it is missing.
fn computing(app: &App) -> String {
    let stage = app.step().and_then(|step| {
        let key = projection_key(step, &app.layer, app.projection.method);
        app.cache.map_progress.get(&key)
    });
    match stage {
        None => "computing…".into(),
        Some(stage) => format!("computing: {}…", stage.describe()),
    }
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let [canvas_area, side] = areas(area);
    let method = app.projection.method.name();
    let layer = match app.projection.method {
        crate::analysis::Method::Pca => {
            format!("{} {}", crate::text::escape(&app.layer), app.axes_words())
        }
        _ => crate::text::escape(&app.layer).into_owned(),
    };
    let title = match app.points_or_nearest() {
        Some((_, true)) => format!(" {method} of {layer} "),
        Some((_, false)) => format!(
            " {method} of {layer}: nearest step's map while {} ",
            computing(app)
        ),
        None if !app.layer_at_step(app.step_index) => " this step has no such layer ".to_string(),
        None => format!(" {method} of {layer}: {} ", computing(app)),
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(canvas_area);
    frame.render_widget(block, canvas_area);
    if let Some((points, own)) = app.points_or_nearest() {
        // Another step's t-SNE/UMAP map stands in for seconds: greyed, so that its groups
        // are not read as this step's (PCA's stand-in lasts a frame and keeps its colours).
        let stale = !own && app.projection.method.is_nonlinear();
        frame.render_widget(
            Cloud {
                app,
                points,
                theme,
                stale,
            },
            inner,
        );
    }
    render_side(frame, side, app, theme, gfx);
}

/// The colour key of image `i`: a class, a cluster, correct (1) / wrong (0), or DIM.
fn colour_key(app: &App, i: usize, clusters: Option<&[u32]>, suspects: Option<&[bool]>) -> u32 {
    let label = app.catalog.labels[i];
    let predicted = app.scores().map(|s| s.predictions[i].class);
    if let Some(focus) = app.projection.focus {
        let on = match focus {
            Focus::Class(c) => label == c,
            Focus::Pair {
                label: l,
                predicted: p,
            } => label == l && predicted == Some(p),
            Focus::Suspects => suspects.is_some_and(|m| m[i]),
        };
        if !on {
            return DIM;
        }
    }
    match app.projection.colour_by {
        ColourBy::TrueClass => label,
        ColourBy::Predicted => predicted.unwrap_or(label),
        ColourBy::Correctness => predicted.map_or(1, |p| u32::from(p == label)),
        // Grey until the clusters are computed: class colours would pass for clusters.
        ColourBy::Cluster => clusters.map_or(DIM, |c| c[i]),
    }
}

/// Dots per side of each point's mark: 2 x 2 while the marks together would cover at most a
/// third of the canvas's `dots` (a sparse map of single dots reads as a faint haze, and its clusters
/// do not stand out), single dots when denser.
pub fn mark_side(points: usize, dots: usize) -> usize {
    if points * 4 * 3 <= dots { 2 } else { 1 }
}

/// The dots of a mark of `side` x `side` at (x, y), clipped to a `w` x `h` canvas.
fn mark(
    x: usize,
    y: usize,
    side: usize,
    w: usize,
    h: usize,
) -> impl Iterator<Item = (usize, usize)> {
    (0..side)
        .flat_map(move |dy| (0..side).map(move |dx| (x + dx, y + dy)))
        .filter(move |&(x, y)| x < w && y < h)
}

struct Cloud<'a> {
    app: &'a App,
    points: &'a Array2<f32>,
    theme: &'a Theme,
    /// Drawn in the dimmed colour: the map of another step.
    stale: bool,
}

impl Widget for Cloud<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (cw, ch) = (area.width as usize, area.height as usize);
        if cw == 0 || ch == 0 {
            return;
        }
        let app = self.app;
        let view = Viewport::new(
            self.points,
            app.projection.zoom,
            app.projection.centre,
            cw * 2,
            ch * 4,
        );
        let clusters = app.current_clusters();
        let assignment = clusters.map(|c| c.assignment.as_slice());
        let suspects = (app.projection.focus == Some(Focus::Suspects))
            .then(|| app.suspect_mask())
            .flatten();
        let mut bits = vec![0u8; cw * ch];
        let visible: Vec<(usize, usize, usize)> = (self.points.rows().into_iter().enumerate())
            .filter_map(|(i, p)| view.dot(p[0], p[1]).map(|(x, y)| (i, x, y)))
            .collect();
        let side = mark_side(visible.len(), cw * ch * 8);
        // (cell, key) of every dot drawn; sorted, runs give each cell's counts.
        let mut hits: Vec<(u32, u32)> = Vec::with_capacity(visible.len() * side * side);
        for (i, x0, y0) in visible {
            let key = colour_key(app, i, assignment, suspects.as_deref());
            for (x, y) in mark(x0, y0, side, cw * 2, ch * 4) {
                let cell = (y / 4) * cw + x / 2;
                bits[cell] |= DOTS[x % 2][y % 4];
                hits.push((cell as u32, key));
            }
        }
        hits.sort_unstable();
        let mut i = 0;
        while i < hits.len() {
            let cell = hits[i].0;
            let (mut best, mut best_n, mut j) = (DIM, 0, i);
            while j < hits.len() && hits[j].0 == cell {
                let key = hits[j].1;
                let mut k = j;
                while k < hits.len() && hits[k].0 == cell && hits[k].1 == key {
                    k += 1;
                }
                // Highlighted points win over dimmed ones, whatever their number.
                if (key != DIM && (best == DIM || k - j > best_n))
                    || (best == DIM && k - j > best_n)
                {
                    best = key;
                    best_n = k - j;
                }
                j = k;
            }
            let colour = match (best, app.projection.colour_by) {
                _ if self.stale => self.theme.dim(),
                (DIM, _) => self.theme.dim(),
                (1, ColourBy::Correctness) => self.theme.correct(),
                (0, ColourBy::Correctness) => self.theme.wrong(),
                (key, _) => self.theme.class(key as usize),
            };
            let (x, y) = (cell as usize % cw, cell as usize / cw);
            let c = char::from_u32(0x2800 + bits[cell as usize] as u32).unwrap_or(' ');
            buf[(area.x + x as u16, area.y + y as u16)]
                .set_char(c)
                .set_fg(colour);
            i = j;
        }
        if let Some(cursor) = app.projection.cursor
            && let Some(p) = self.points.rows().into_iter().nth(cursor as usize)
            && let Some((x, y)) = view.dot(p[0], p[1])
        {
            let cell = &mut buf[(area.x + (x / 2) as u16, area.y + (y / 4) as u16)];
            cell.set_char('◆')
                .set_style(Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED));
        }
    }
}

fn render_side(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    gfx: &mut crate::tui::graphics::Graphics,
) {
    let mut lines = legend(app, theme);
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

/// The map on the left, its key and the cursor's image on the right.
fn areas(area: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Min(20), Constraint::Length(32)]).areas(area)
}

/// A click on the map hits an image drawn in the clicked cell, the one nearest its centre;
/// in an empty cell, the image drawn nearest to it.
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    let [canvas_area, _] = areas(area);
    let inner = Block::bordered().inner(canvas_area);
    if !inner.contains(at) {
        return None;
    }
    let (points, _) = app.points_or_nearest()?;
    let (w, h) = (inner.width as usize * 2, inner.height as usize * 4);
    let view = Viewport::new(points, app.projection.zoom, app.projection.centre, w, h);
    let cell = ((at.x - inner.x) as usize, (at.y - inner.y) as usize);
    // Distances in dots (2 x 4 per cell), rows counted half so a cell is about square;
    // a dot of another cell comes after every dot of this one.
    let centre = (cell.0 as f32 * 2.0 + 0.5, cell.1 as f32 * 4.0 + 1.5);
    let distance = |(dx, dy): (usize, usize)| {
        let elsewhere = (dx / 2, dy / 4) != cell;
        let d = (dx as f32 - centre.0).powi(2) + ((dy as f32 - centre.1) / 2.0).powi(2);
        (elsewhere, d)
    };
    points
        .rows()
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| view.dot(p[0], p[1]).map(|d| (i, distance(d))))
        .min_by(|a, b| a.1.0.cmp(&b.1.0).then(a.1.1.total_cmp(&b.1.1)))
        .map(|(i, _)| Target::MapImage(i as ImageId))
}
