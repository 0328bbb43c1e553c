//! The 2-D map of a layer, drawn with braille dots (2x4 per cell). A cell where several
//! classes meet takes the colour of the majority, so no class hides another by drawing order.
//! A click on the map hits the image drawn nearest to the clicked cell.

use ndarray::Array2;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Widget};

use crate::model::ImageId;
use crate::tui::app::{App, ColourBy, Focus};
use crate::tui::jobs::projection_key;
use crate::tui::region::MapPoint;
use crate::tui::theme::Theme;
use crate::tui::views::Target;

/// Bit of each dot of a braille cell, indexed [x][y].
const DOTS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
const DIM: u32 = u32::MAX;

pub use super::viewport::{Viewport, bounds, data_centre};

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
    super::map_side::render(frame, side, app, theme, gfx);
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
        // The rectangle selected, under the cursor's mark so that both show.
        if let Some(region) = app.projection.region {
            super::map_region::draw(buf, area, &view, region, self.theme.accent());
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

/// The map on the left, its key and the cursor's image on the right.
fn areas(area: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Min(20), Constraint::Length(32)]).areas(area)
}

/// The map's canvas in the view's `area` and its viewport, when a map is drawn.
fn canvas(app: &App, area: Rect) -> Option<(Rect, Viewport, &Array2<f32>)> {
    let [canvas_area, _] = areas(area);
    let inner = Block::bordered().inner(canvas_area);
    let (points, _) = app.points_or_nearest()?;
    let (w, h) = (inner.width as usize * 2, inner.height as usize * 4);
    let view = Viewport::new(points, app.projection.zoom, app.projection.centre, w, h);
    Some((inner, view, points))
}

/// The map point at the centre of the cell at `at`, if the map is drawn there.
pub fn map_point(app: &App, area: Rect, at: Position) -> Option<MapPoint> {
    let (inner, view, _) = canvas(app, area)?;
    if !inner.contains(at) {
        return None;
    }
    let (u, v) = (
        (at.x - inner.x) as f32 * 2.0 + 1.0,
        (at.y - inner.y) as f32 * 4.0 + 2.0,
    );
    let (x, y) = view.point(u, v);
    Some(MapPoint { x, y })
}

/// A click on the map hits an image drawn in the clicked cell, the one nearest its centre;
/// in an empty cell, the image drawn nearest to it.
pub fn hit(app: &App, area: Rect, at: Position) -> Option<Target> {
    let (inner, view, points) = canvas(app, area)?;
    if !inner.contains(at) {
        return None;
    }
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
