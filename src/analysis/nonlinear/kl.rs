//! KL divergence of a t-SNE map, computed exactly the way the benchmarks score every map.
//!
//! manifolds-rs does not report the cost it minimises, so it is recomputed here from the
//! joint affinities P (sparse, from the engine) and the Student-t similarities Q of the map,
//! with the exact O(N^2) normaliser: about 0.3 s at 50,000 points on two cores, a small share
//! of the t-SNE run itself.

use manifolds_rs::prelude::CoordinateList;
use ndarray::ArrayView2;
use rayon::prelude::*;

/// Columns summed in f32 before being added to the f64 row total (keeps rounding small
/// without giving up the vectorised f32 inner loop).
const BLOCK: usize = 1024;

/// Independent partial sums within a block.
const LANES: usize = 8;

/// KL(P || Q) of the N x 2 map `points` against the affinity graph `p` (renormalised to sum
/// to one; zero entries and self-pairs are skipped). Returns 0 for fewer than two points.
pub(super) fn kl_divergence(p: &CoordinateList<f32>, points: ArrayView2<f32>) -> f64 {
    let n = points.nrows();
    if n < 2 {
        return 0.0;
    }
    let xs: Vec<f32> = points.column(0).to_vec();
    let ys: Vec<f32> = points.column(1).to_vec();
    // Parallel float sums are collected and then added in order: rayon's `sum` groups the
    // terms by how work was stolen, which would make the KL differ from run to run.
    let rows: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| upper_row_sum(&xs, &ys, i))
        .collect();
    let z = 2.0 * rows.iter().sum::<f64>();
    let total: f64 = p
        .values
        .iter()
        .zip(p.row_indices.iter().zip(&p.col_indices))
        .filter(|(v, (r, c))| **v > 0.0 && r != c)
        .map(|(v, _)| *v as f64)
        .sum();
    if total.is_nan() || z.is_nan() || total <= 0.0 || z <= 0.0 {
        return 0.0;
    }
    let terms: Vec<f64> = p
        .values
        .par_iter()
        .zip(p.row_indices.par_iter().zip(p.col_indices.par_iter()))
        .map(|(v, (&r, &c))| {
            if *v <= 0.0 || r == c {
                return 0.0;
            }
            let pij = *v as f64 / total;
            let dx = (xs[r] - xs[c]) as f64;
            let dy = (ys[r] - ys[c]) as f64;
            let qij = 1.0 / (1.0 + dx * dx + dy * dy) / z;
            pij * (pij / qij).ln()
        })
        .collect();
    terms.iter().sum()
}

/// Sum over j > i of 1 / (1 + |y_i - y_j|^2).
fn upper_row_sum(xs: &[f32], ys: &[f32], i: usize) -> f64 {
    let (xi, yi) = (xs[i], ys[i]);
    let mut total = 0.0f64;
    for (bx, by) in xs[i + 1..].chunks(BLOCK).zip(ys[i + 1..].chunks(BLOCK)) {
        // Independent lane sums: one running f32 sum must be added in order and is not
        // vectorised (it was 1 s of a 50,000-image map; lanes make it a quarter of that).
        let mut lanes = [0.0f32; LANES];
        let whole = bx.len() / LANES * LANES;
        for (cx, cy) in bx[..whole]
            .chunks_exact(LANES)
            .zip(by[..whole].chunks_exact(LANES))
        {
            for l in 0..LANES {
                let dx = cx[l] - xi;
                let dy = cy[l] - yi;
                lanes[l] += 1.0 / (1.0 + dx * dx + dy * dy);
            }
        }
        for (l, (&x, &y)) in bx[whole..].iter().zip(&by[whole..]).enumerate() {
            let dx = x - xi;
            let dy = y - yi;
            lanes[l] += 1.0 / (1.0 + dx * dx + dy * dy);
        }
        total += lanes.iter().map(|&v| v as f64).sum::<f64>();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    fn graph(entries: &[(usize, usize, f32)], n: usize) -> CoordinateList<f32> {
        CoordinateList {
            row_indices: entries.iter().map(|e| e.0).collect(),
            col_indices: entries.iter().map(|e| e.1).collect(),
            values: entries.iter().map(|e| e.2).collect(),
            n_samples: n,
        }
    }

    #[test]
    fn matches_the_formula_on_three_points() {
        let y = array![[0.0f32, 0.0], [1.0, 0.0], [0.0, 2.0]];
        // P: pairs (0,1) and (1,0) carry 0.3 each, (0,2) and (2,0) 0.2 each (sums to one).
        let p = graph(&[(0, 1, 0.3), (1, 0, 0.3), (0, 2, 0.2), (2, 0, 0.2)], 3);
        let w01 = 1.0 / 2.0;
        let w02 = 1.0 / 5.0;
        let w12 = 1.0 / 6.0;
        let z = 2.0 * (w01 + w02 + w12);
        let want = 2.0 * 0.3 * (0.3f64 / (w01 / z)).ln() + 2.0 * 0.2 * (0.2f64 / (w02 / z)).ln();
        assert_abs_diff_eq!(kl_divergence(&p, y.view()), want, epsilon = 1e-6);
    }

    #[test]
    fn is_zero_when_q_equals_p() {
        // Two points: Q puts all mass on the one pair, as P does.
        let y = array![[0.0f32, 0.0], [4.0, 3.0]];
        let p = graph(&[(0, 1, 0.5), (1, 0, 0.5)], 2);
        assert_abs_diff_eq!(kl_divergence(&p, y.view()), 0.0, epsilon = 1e-6);
    }

    #[test]
    fn unnormalised_p_and_diagonal_entries_are_handled() {
        let y = array![[0.0f32, 0.0], [1.0, 0.0], [0.0, 2.0]];
        let a = graph(&[(0, 1, 0.3), (1, 0, 0.3), (0, 2, 0.2), (2, 0, 0.2)], 3);
        let b = graph(
            &[
                (0, 1, 3.0),
                (1, 0, 3.0),
                (0, 2, 2.0),
                (2, 0, 2.0),
                (1, 1, 9.0),
            ],
            3,
        );
        assert_abs_diff_eq!(
            kl_divergence(&a, y.view()),
            kl_divergence(&b, y.view()),
            epsilon = 1e-6
        );
    }
}
