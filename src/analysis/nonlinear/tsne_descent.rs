//! t-SNE's gradient descent as openTSNE runs it, around manifolds-rs's FFT-interpolated
//! repulsion (`n_body_fft_2d`, FIt-SNE's scheme).
//!
//! The crate's own loop (`optimise_fft_tsne`) runs momentum 0.5 for the first 250
//! iterations of every call, starts each call with fresh gains, and caps a point's move at
//! 2.5% of the step size. A map is two calls (the exaggerated phase, then the plain one).
//! openTSNE runs momentum 0.8 throughout, carries its gains from one phase into the next,
//! and caps every move at 5. Measured on anchors' 64-D mixture (exact KL and 10-NN kept by
//! kl_eval.py; openTSNE 2.780 / 0.150 at 10,000 images, 4.313 / 0.063 at 50,000), the
//! crate's loop gave 2.805 / 0.129 and 4.353 / 0.044; this loop 2.795 / 0.139 and
//! 4.342 / 0.049. Momentum 0.8 alone, in the crate's loop, made 50,000 worse (4.373 /
//! 0.035): the fixed cap is what lets the larger momentum pay. The forces and the
//! recentring are the crate's and openTSNE's alike; the gains follow openTSNE's rule.

use manifolds_rs::prelude::CoordinateList;
use manifolds_rs::utils::fft::{FftGrid, FftWorkspace, n_body_fft_2d};
use manifolds_rs::utils::math::choose_grid_size;
use rayon::prelude::*;

use super::locality::row_starts;

/// One stretch of gradient descent at a fixed step size and attraction factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Phase {
    pub(super) iterations: usize,
    pub(super) learning_rate: f64,
    pub(super) exaggeration: f64,
}

/// openTSNE's momentum, in both phases.
const MOMENTUM: f32 = 0.8;
/// Added to every shrinking gain (openTSNE's `min_gain`).
const MIN_GAIN: f32 = 0.01;
/// Longest move of a point in one iteration (openTSNE's `max_step_norm`).
const STEP_CAP: f32 = 5.0;
/// Interpolation nodes per unit of the map and per axis (FIt-SNE's 3 per box of width 1).
const NODES_PER_UNIT: usize = 3;
/// Fewest grid boxes per axis, and most: beyond it the boxes widen instead.
const MIN_BOXES: usize = 50;
const MAX_BOXES: usize = 140;
/// Grid margin beyond the points, as a fraction of their extent.
const GRID_MARGIN: f64 = 0.05;
/// Extra room given to a widened grid, so it is not rebuilt at every iteration.
const WIDE_GRID_ROOM: f64 = 0.3;

/// Interpolation nodes per grid box for a phase: FIt-SNE's 3 while exaggerated, 4 in the
/// plain phase, on boxes widened so that the grid keeps 3 nodes per unit (the same FFT
/// size). With 3 per box throughout, the maps of anchors' mixture kept fewer true
/// neighbours than openTSNE's (exact KL / 10-NN kept 2.789 / 0.144 at 10,000 images,
/// 4.319 / 0.059 at 50,000; openTSNE 2.780 / 0.150, 4.313 / 0.063); with 4 in the plain
/// phase 2.783 / 0.149 and 4.310 / 0.065, for 10-15% more time. The plain phase is where
/// the fine structure settles; 4 nodes per box of width 1 there gave 2.775 / 0.156 and
/// 4.309 / 0.066 but took 40% longer at 10,000.
fn nodes_per_box(exaggeration: f64) -> usize {
    if exaggeration > 1.0 { 3 } else { 4 }
}

/// The FFT grid in use and what it covers.
struct Grid {
    grid: FftGrid<f32>,
    workspace: FftWorkspace<f32>,
    half: f64,
}

impl Grid {
    /// A grid covering `[-half, half]²` for points within `half_span` of the origin with
    /// `nodes` per box: [`NODES_PER_UNIT`] nodes per unit while at most [`MAX_BOXES`] unit
    /// boxes cover it, sparser beyond.
    fn covering(half_span: f64, nodes: usize) -> Grid {
        let (unit_boxes, half) = Grid::extent(half_span);
        let half = half.unwrap_or_else(|| {
            let half = half_span * (1.0 + GRID_MARGIN + WIDE_GRID_ROOM);
            half.max(MAX_BOXES as f64 / 2.0)
        });
        let boxes = (unit_boxes * NODES_PER_UNIT).div_ceil(nodes);
        let grid = FftGrid::new(-half as f32, half as f32, boxes, nodes);
        let workspace = FftWorkspace::new(grid.n_fft);
        Grid {
            grid,
            workspace,
            half,
        }
    }

    /// Whether points within `half_span` of the origin still fit this grid, one box clear of
    /// its edges, with the box count the extent calls for.
    fn fits(&self, half_span: f64, nodes: usize) -> bool {
        let (unit_boxes, half) = Grid::extent(half_span);
        let boxes = (unit_boxes * NODES_PER_UNIT).div_ceil(nodes);
        let box_width = f64::from(self.grid.box_width);
        self.grid.n_interp_points == nodes
            && self.grid.n_boxes_per_dim == boxes
            && (half.is_some() || half_span < self.half - box_width)
    }

    /// Unit boxes per axis for points within `half_span` of the origin (at most
    /// [`MAX_BOXES`]), and the half-width they cover when they are of width 1 (`None`
    /// beyond [`MAX_BOXES`], where the grid is sized to the points instead).
    fn extent(half_span: f64) -> (usize, Option<f64>) {
        let span = 2.0 * half_span * (1.0 + GRID_MARGIN);
        let unit_boxes = choose_grid_size(0.0, span, 1.0, MIN_BOXES);
        if unit_boxes <= MAX_BOXES {
            (unit_boxes, Some(unit_boxes as f64 / 2.0))
        } else {
            (MAX_BOXES, None)
        }
    }
}

/// Runs `phases` on `rows` (one `[x, y]` per image, in the graph's numbering). The graph's
/// edges must be sorted by row (as `MemoryOrder::renumber` leaves them).
pub(super) fn descend(rows: &mut [Vec<f32>], graph: &CoordinateList<f32>, phases: &[Phase]) {
    let n = rows.len();
    let starts = row_starts(graph.row_indices.iter().copied(), n);
    // Neighbour numbers as u32 halve the memory the attraction loop streams through.
    let edges = Edges {
        starts,
        columns: graph.col_indices.iter().map(|&c| c as u32).collect(),
        weights: &graph.values,
    };
    let mut pos: Vec<f32> = rows.iter().flat_map(|r| [r[0], r[1]]).collect();
    let mut gains = vec![1.0f32; 2 * n];
    let mut state = Scratch::new(n);
    for phase in phases {
        // Each phase starts at rest and keeps the gains learnt so far. openTSNE 1.0.4 also
        // carries its last move into the next phase; doing so changed neither exact KL nor
        // 10-NN kept beyond run-to-run noise on anchors' mixture (10,000 and 50,000 images).
        let mut velocity = vec![0.0f32; 2 * n];
        let nodes = nodes_per_box(phase.exaggeration);
        for _ in 0..phase.iterations {
            state.gradient(&pos, &edges, phase.exaggeration as f32, nodes);
            step(
                &mut pos,
                &mut velocity,
                &mut gains,
                &state.grad,
                phase.learning_rate,
            );
            recentre(&mut pos);
        }
    }
    for (row, p) in rows.iter_mut().zip(pos.chunks_exact(2)) {
        row[0] = p[0];
        row[1] = p[1];
    }
}

/// The affinity graph as rows of (neighbour, weight).
struct Edges<'a> {
    starts: Vec<usize>,
    columns: Vec<u32>,
    weights: &'a [f32],
}

/// Buffers reused from one iteration to the next.
struct Scratch {
    xs: Vec<f32>,
    ys: Vec<f32>,
    charges: Vec<f32>,
    potentials: Vec<f32>,
    grad: Vec<f32>,
    grid: Option<Grid>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            xs: vec![0.0; n],
            ys: vec![0.0; n],
            charges: vec![0.0; 4 * n],
            potentials: vec![0.0; 4 * n],
            grad: vec![0.0; 2 * n],
            grid: None,
        }
    }

    /// The KL gradient at `pos` into `self.grad`: attraction along the graph's edges
    /// (times `exaggeration`) minus repulsion from every point, normalised by Z.
    fn gradient(&mut self, pos: &[f32], edges: &Edges<'_>, exaggeration: f32, nodes: usize) {
        let n = self.xs.len();
        let mut half_span = 0.0f64;
        for (i, p) in pos.chunks_exact(2).enumerate() {
            self.xs[i] = p[0];
            self.ys[i] = p[1];
            half_span = half_span.max(f64::from(p[0].abs().max(p[1].abs())));
        }
        if !self.grid.as_ref().is_some_and(|g| g.fits(half_span, nodes)) {
            self.grid = Some(Grid::covering(half_span, nodes));
        }
        let Some(grid) = self.grid.as_mut() else {
            return;
        };
        // Charges 1, x, y, x² + y²: their potentials give Z and the repulsive forces.
        let (xs, ys) = (&self.xs, &self.ys);
        self.charges
            .par_chunks_exact_mut(4)
            .enumerate()
            .for_each(|(i, c)| {
                let (x, y) = (xs[i], ys[i]);
                c.copy_from_slice(&[1.0, x, y, x * x + y * y]);
            });
        self.potentials.fill(0.0);
        n_body_fft_2d(
            &self.xs,
            &self.ys,
            &self.charges,
            4,
            &grid.grid,
            &mut grid.workspace,
            &mut self.potentials,
        );
        let z: f64 = (0..n)
            .map(|i| {
                let p = &self.potentials[4 * i..4 * i + 4];
                let (x, y) = (f64::from(self.xs[i]), f64::from(self.ys[i]));
                (1.0 + x * x + y * y) * f64::from(p[0])
                    - 2.0 * (x * f64::from(p[1]) + y * f64::from(p[2]))
                    + f64::from(p[3])
            })
            .sum::<f64>()
            - n as f64;
        let z = if z > 1e-12 { z } else { 1.0 };
        let (xs, ys, potentials) = (&self.xs, &self.ys, &self.potentials);
        self.grad
            .par_chunks_exact_mut(2)
            .enumerate()
            .for_each(|(i, g)| {
                let (px, py) = (xs[i], ys[i]);
                let (mut ax, mut ay) = (0.0f32, 0.0f32);
                for e in edges.starts[i]..edges.starts[i + 1] {
                    let j = edges.columns[e] as usize;
                    let (dx, dy) = (px - xs[j], py - ys[j]);
                    let force = edges.weights[e] / (1.0 + dx * dx + dy * dy);
                    ax += force * dx;
                    ay += force * dy;
                }
                let p = &potentials[4 * i..4 * i + 4];
                let rx = (f64::from(px) * f64::from(p[0]) - f64::from(p[1])) / z;
                let ry = (f64::from(py) * f64::from(p[0]) - f64::from(p[2])) / z;
                g[0] = exaggeration * ax - rx as f32;
                g[1] = exaggeration * ay - ry as f32;
            });
    }
}

/// One step of momentum descent with per-coordinate gains (delta-bar-delta: a gain grows
/// while the gradient keeps pointing against the last move, shrinks when it turns), each
/// point's move capped.
fn step(pos: &mut [f32], velocity: &mut [f32], gains: &mut [f32], grad: &[f32], rate: f64) {
    let rate = rate as f32;
    pos.par_chunks_exact_mut(2)
        .zip(velocity.par_chunks_exact_mut(2))
        .zip(gains.par_chunks_exact_mut(2))
        .zip(grad.par_chunks_exact(2))
        .for_each(|(((p, v), gain), g)| {
            for d in 0..2 {
                // openTSNE's rule: signs compared with 0 as a sign of its own (so the first
                // move, from rest, counts as a turn), and a shrinking gain tends to 5 x
                // MIN_GAIN rather than stopping at it.
                if sign(g[d]) != sign(v[d]) {
                    gain[d] += 0.2;
                } else {
                    gain[d] = gain[d] * 0.8 + MIN_GAIN;
                }
                v[d] = MOMENTUM * v[d] - rate * gain[d] * g[d];
            }
            let norm = (v[0] * v[0] + v[1] * v[1]).sqrt();
            if norm > STEP_CAP {
                v[0] *= STEP_CAP / norm;
                v[1] *= STEP_CAP / norm;
            }
            p[0] += v[0];
            p[1] += v[1];
        });
}

/// -1, 0 or 1.
fn sign(x: f32) -> i8 {
    i8::from(x > 0.0) - i8::from(x < 0.0)
}

/// Moves the map's centre back to the origin (sums in f64, in a fixed order, so one seed
/// gives one map).
fn recentre(pos: &mut [f32]) {
    let n = (pos.len() / 2).max(1) as f64;
    let (mut sx, mut sy) = (0.0f64, 0.0f64);
    for p in pos.chunks_exact(2) {
        sx += f64::from(p[0]);
        sy += f64::from(p[1]);
    }
    let (mx, my) = ((sx / n) as f32, (sy / n) as f32);
    for p in pos.chunks_exact_mut(2) {
        p[0] -= mx;
        p[1] -= my;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_moves_at_momentum_0_8_from_its_first_iteration() {
        // One push, then no force: the velocity decays by the momentum alone.
        let (mut pos, mut velocity, mut gains) =
            (vec![0.0f32; 2], vec![0.0f32; 2], vec![1.0f32; 2]);
        step(&mut pos, &mut velocity, &mut gains, &[1.0, -1.0], 1.0);
        let pushed = velocity.clone();
        step(&mut pos, &mut velocity, &mut gains, &[0.0, 0.0], 1.0);
        assert_eq!(velocity, vec![0.8 * pushed[0], 0.8 * pushed[1]]);
    }

    #[test]
    fn a_grid_keeps_three_nodes_per_unit_and_is_rebuilt_for_another_node_count() {
        for half_span in [10.0, 40.0, 100.0] {
            let coarse = Grid::covering(half_span, 3);
            let fine = Grid::covering(half_span, 4);
            assert_eq!(coarse.half, fine.half);
            let nodes = |g: &Grid| g.grid.n_boxes_per_dim * g.grid.n_interp_points;
            // As many nodes per axis (to rounding up), so the FFT costs the same.
            assert!(nodes(&fine) >= nodes(&coarse) && nodes(&fine) < nodes(&coarse) + 4);
            assert!(coarse.fits(half_span, 3) && fine.fits(half_span, 4));
            assert!(!coarse.fits(half_span, 4) && !fine.fits(half_span, 3));
        }
        assert_eq!((nodes_per_box(12.0), nodes_per_box(1.0)), (3, 4));
    }

    #[test]
    fn gains_follow_opentsne_rule() {
        // From rest, a gradient of either sign is a turn: both gains rise to 1.2.
        let (mut pos, mut velocity, mut gains) =
            (vec![0.0f32; 2], vec![0.0f32; 2], vec![1.0f32; 2]);
        step(&mut pos, &mut velocity, &mut gains, &[-1.0, 1.0], 1.0);
        assert_eq!(gains, vec![1.2, 1.2]);
        // A gradient along the last move shrinks a gain towards 5 x MIN_GAIN, not MIN_GAIN.
        for _ in 0..200 {
            let along = [velocity[0].signum(), velocity[1].signum()];
            step(&mut pos, &mut velocity, &mut gains, &along, 1e-3);
        }
        for g in gains {
            assert!((g - 5.0 * MIN_GAIN).abs() < 1e-6, "gain {g}");
        }
    }

    #[test]
    fn no_point_moves_more_than_the_cap_whatever_the_step_size() {
        let (mut pos, mut velocity, mut gains) =
            (vec![0.0f32; 4], vec![0.0f32; 4], vec![1.0f32; 4]);
        // From rest every non-zero gradient counts as a turn, so those gains rose to 1.2.
        step(
            &mut pos,
            &mut velocity,
            &mut gains,
            &[3.0, 4.0, 0.0, 1e-5],
            50_000.0,
        );
        assert!((pos[0].hypot(pos[1]) - STEP_CAP).abs() < 1e-4, "{pos:?}");
        assert!(
            (pos[0] + 3.0).abs() < 1e-4 && (pos[1] + 4.0).abs() < 1e-4,
            "{pos:?}"
        );
        // A small move is left as it is: -rate x gain x gradient.
        assert!((pos[3] + 50_000.0 * 1.2 * 1e-5).abs() < 1e-4, "{pos:?}");
    }
}
