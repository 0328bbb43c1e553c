//! The order in which the optimisers hold the images in memory.
//!
//! Both optimisers spend most of their time walking the neighbour graph's edges and reading
//! the 2-D positions of each image's neighbours. In the database's order those neighbours
//! are scattered over the whole position array, so at 50,000 images nearly every read
//! misses the cache (a `perf` profile of t-SNE showed 55% of the run in the attractive-force
//! loop). Renumbering the images along a Z-order curve of the starting layout puts images
//! that are close in the map, and so mostly neighbours in the graph, next to each other in
//! memory. The maps are the same up to the order of floating-point sums; the caller maps
//! the result back to image order.

use manifolds_rs::prelude::CoordinateList;
use ndarray::Array2;

/// A renumbering of the images: `images[k]` is the image held at position `k`.
pub(super) struct MemoryOrder {
    images: Vec<usize>,
}

impl MemoryOrder {
    /// Images sorted along a Z-order (Morton) curve over the bounding box of `layout`
    /// (one `[x, y]` per image). Ties keep image order, so the order is deterministic.
    pub(super) fn along(layout: &[Vec<f32>]) -> Self {
        let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
        for p in layout {
            for d in 0..2 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        let cell = |v: f32, d: usize| -> u32 {
            let span = hi[d] - lo[d];
            if span > 0.0 && span.is_finite() {
                (((v - lo[d]) / span) * 65535.0).clamp(0.0, 65535.0) as u32
            } else {
                0
            }
        };
        let mut images: Vec<usize> = (0..layout.len()).collect();
        images.sort_by_key(|&i| morton(cell(layout[i][0], 0), cell(layout[i][1], 1)));
        Self { images }
    }

    /// `rows` (one entry per image, in image order) in memory order.
    pub(super) fn arrange<T: Clone>(&self, rows: &[T]) -> Vec<T> {
        self.images.iter().map(|&i| rows[i].clone()).collect()
    }

    /// The graph with its vertices renumbered to memory order and its edges sorted by
    /// (row, column), so that per-edge state the optimisers keep in edge order is read in
    /// memory order too.
    pub(super) fn renumber(&self, graph: &mut CoordinateList<f32>) {
        let n = self.images.len();
        let mut position = vec![0usize; n];
        for (k, &i) in self.images.iter().enumerate() {
            position[i] = k;
        }
        // Counting sort by the new row, then each row's edges by the new column.
        let starts = row_starts(graph.row_indices.iter().map(|&r| position[r]), n);
        let mut edges: Vec<(usize, f32)> = vec![(0, 0.0); graph.values.len()];
        let mut cursor = starts.clone();
        for ((&r, &c), &w) in graph
            .row_indices
            .iter()
            .zip(&graph.col_indices)
            .zip(&graph.values)
        {
            let row = position[r];
            edges[cursor[row]] = (position[c], w);
            cursor[row] += 1;
        }
        for k in 0..n {
            edges[starts[k]..starts[k + 1]].sort_by_key(|&(c, _)| c);
        }
        for k in 0..n {
            graph.row_indices[starts[k]..starts[k + 1]].fill(k);
        }
        for (slot, (c, w)) in edges.into_iter().enumerate() {
            graph.col_indices[slot] = c;
            graph.values[slot] = w;
        }
    }

    /// A layout held in memory order, as an N x 2 array in image order.
    pub(super) fn restore<P: AsRef<[f32]>>(&self, rows: &[P]) -> Array2<f32> {
        let mut points = Array2::zeros((rows.len(), 2));
        for (row, &i) in rows.iter().zip(&self.images) {
            let row = row.as_ref();
            points[[i, 0]] = row[0];
            points[[i, 1]] = row[1];
        }
        points
    }
}

/// Where each row's edges start in an edge list sorted by row, given the edges' rows
/// (`n + 1` entries; row `r`'s edges are `starts[r]..starts[r + 1]`).
pub(super) fn row_starts(rows: impl Iterator<Item = usize>, n: usize) -> Vec<usize> {
    let mut starts = vec![0usize; n + 1];
    for r in rows {
        starts[r + 1] += 1;
    }
    for k in 0..n {
        starts[k + 1] += starts[k];
    }
    starts
}

/// Interleaves the bits of two 16-bit cell coordinates.
fn morton(x: u32, y: u32) -> u32 {
    fn spread(mut v: u32) -> u32 {
        v &= 0xffff;
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    }
    spread(x) | (spread(y) << 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morton_interleaves_bits() {
        assert_eq!(morton(0, 0), 0);
        assert_eq!(morton(1, 0), 1);
        assert_eq!(morton(0, 1), 2);
        assert_eq!(morton(3, 3), 15);
        assert_eq!(morton(0xffff, 0), 0x5555_5555);
    }

    #[test]
    fn nearby_points_are_stored_together_and_restored_in_place() {
        // Two clusters whose images alternate in image order.
        let layout: Vec<Vec<f32>> = (0..8)
            .map(|i| {
                let c = (i % 2) as f32 * 10.0;
                vec![c + i as f32 * 0.01, c]
            })
            .collect();
        let order = MemoryOrder::along(&layout);
        let stored = order.arrange(&layout);
        let clusters: Vec<bool> = stored.iter().map(|p| p[1] > 5.0).collect();
        assert_eq!(
            clusters,
            [false, false, false, false, true, true, true, true]
        );

        let back = order.restore(&stored);
        for (i, p) in layout.iter().enumerate() {
            assert_eq!([back[[i, 0]], back[[i, 1]]], [p[0], p[1]]);
        }
    }

    #[test]
    fn renumbered_graph_links_the_same_images() {
        let layout = vec![vec![5.0, 5.0], vec![0.0, 0.0], vec![9.0, 9.0]];
        let order = MemoryOrder::along(&layout);
        let mut graph = CoordinateList {
            row_indices: vec![0, 1, 2],
            col_indices: vec![1, 2, 0],
            values: vec![0.1, 0.2, 0.3],
            n_samples: 3,
        };
        order.renumber(&mut graph);
        // Memory order is images 1, 0, 2: edge 0->1 is now 1->0, 1->2 is 0->2, 2->0 is 2->1,
        // listed by row.
        assert_eq!(graph.row_indices, [0, 1, 2]);
        assert_eq!(graph.col_indices, [2, 0, 1]);
        assert_eq!(graph.values, [0.2, 0.1, 0.3]);
    }

    #[test]
    fn a_layout_without_spread_keeps_image_order() {
        let layout = vec![vec![1.0, 1.0]; 4];
        let order = MemoryOrder::along(&layout);
        assert_eq!(order.images, [0, 1, 2, 3]);
    }
}
