use super::*;
use crate::analysis::nonlinear::testdata::{blobs, knn10_accuracy, relative_displacement};
use ndarray::Array2;

/// Shorter runs than the default keep the suite quick; the maps are still converged at
/// these sizes.
fn quick(seed: u64) -> TsneParams {
    TsneParams {
        seed,
        iterations: 400,
        ..TsneParams::default()
    }
}

#[test]
fn separates_well_separated_blobs() {
    let (x, labels) = blobs(400, 16, 4, 8.0, 1);
    let map = tsne_2d(x.view(), &quick(0), None).unwrap();
    assert_eq!(map.points.dim(), (400, 2));
    assert!(map.points.iter().all(|v| v.is_finite()));
    let acc = knn10_accuracy(map.points.view(), &labels);
    assert!(acc >= 0.9, "10-NN accuracy {acc}");
    assert!(map.kl.is_finite() && map.kl > 0.0, "kl {}", map.kl);
    assert_eq!(map.perplexity_used, 30.0);
    assert!(!map.perplexity_reduced);
}

#[test]
fn same_seed_same_map_other_seed_other_map() {
    let (x, _) = blobs(300, 8, 3, 6.0, 2);
    let a = tsne_2d(x.view(), &quick(7), None).unwrap();
    let b = tsne_2d(x.view(), &quick(7), None).unwrap();
    assert_eq!(a, b);
    // Another seed changes the random choices; PCA start keeps the maps alike but not equal.
    let c = tsne_2d(x.view(), &quick(8), None).unwrap();
    assert_ne!(a.points, c.points);
}

#[test]
fn map_started_from_its_neighbour_stays_aligned() {
    // Two "steps": the same images, the second with slightly moved activations.
    let (x0, labels) = blobs(400, 16, 4, 8.0, 3);
    let (noise, _) = blobs(400, 16, 4, 0.0, 4);
    let x1 = &x0 + &(noise * 0.2);
    let first = tsne_2d(x0.view(), &quick(0), None).unwrap();
    let next = tsne_2d(x1.view(), &quick(0), Some(first.points.view())).unwrap();
    let moved = relative_displacement(next.points.view(), first.points.view());
    assert!(moved < 0.15, "points moved {moved} of the map's spread");
    assert!(knn10_accuracy(next.points.view(), &labels) >= 0.9);
    // A fresh map of the same data is free to rotate or mirror: far more movement.
    let fresh = tsne_2d(x1.view(), &quick(5), None).unwrap();
    let fresh_moved = relative_displacement(fresh.points.view(), first.points.view());
    assert!(moved < fresh_moved, "{moved} vs fresh {fresh_moved}");
}

#[test]
fn too_few_images_for_the_perplexity_reduces_it() {
    let (x, _) = blobs(40, 5, 2, 6.0, 5);
    let map = tsne_2d(x.view(), &quick(0), None).unwrap();
    assert!(map.perplexity_reduced);
    assert_eq!(map.perplexity_used, 13.0);
    assert!(map.points.iter().all(|v| v.is_finite()));
}

#[test]
fn tiny_layers_are_refused_or_mapped() {
    let three = Array2::<f32>::zeros((3, 4));
    assert!(matches!(
        tsne_2d(three.view(), &quick(0), None),
        Err(AnalysisError::TooFewImages { needed: 4, got: 3 })
    ));
    let (four, _) = blobs(4, 3, 2, 3.0, 6);
    let map = tsne_2d(four.view(), &quick(0), None).unwrap();
    assert_eq!(map.perplexity_used, 1.0);
    assert!(map.points.iter().all(|v| v.is_finite()));
}

#[test]
fn constant_layer_and_duplicates_give_finite_maps() {
    let constant = Array2::from_elem((100, 8), 0.5f32);
    let map = tsne_2d(constant.view(), &quick(0), None).unwrap();
    assert!(map.points.iter().all(|v| v.is_finite()));
    assert!(map.kl.is_finite());

    // Half the images are exact copies of the other half.
    let (half, _) = blobs(100, 8, 2, 6.0, 7);
    let dup = ndarray::concatenate![ndarray::Axis(0), half, half];
    let map = tsne_2d(dup.view(), &quick(0), None).unwrap();
    assert!(map.points.iter().all(|v| v.is_finite()));
    assert!(map.kl.is_finite());
}

#[test]
fn bad_input_is_refused() {
    let (mut x, _) = blobs(50, 4, 2, 6.0, 8);
    let bad = TsneParams {
        perplexity: 0.5,
        ..TsneParams::default()
    };
    assert!(matches!(
        tsne_2d(x.view(), &bad, None),
        Err(AnalysisError::BadParameter(_))
    ));
    let wrong_init = Array2::<f32>::zeros((49, 2));
    assert!(matches!(
        tsne_2d(x.view(), &quick(0), Some(wrong_init.view())),
        Err(AnalysisError::LayoutShape { want_rows: 50, .. })
    ));
    x[[17, 2]] = f32::NAN;
    assert!(matches!(
        tsne_2d(x.view(), &quick(0), None),
        Err(AnalysisError::NonFinite { row: 17 })
    ));
}

#[test]
fn step_size_follows_each_phase_exaggeration() {
    let params = TsneParams::default();
    let phase = |iterations, learning_rate, exaggeration| Phase {
        iterations,
        learning_rate,
        exaggeration,
    };
    assert_eq!(
        phases(&params, 24_000, false),
        vec![phase(250, 2_000.0, 12.0), phase(500, 24_000.0, 1.0)]
    );
    // Started from a given layout: the plain iterations only, in small steps.
    assert_eq!(
        phases(&params, 24_000, true),
        vec![phase(500, 2_000.0, 1.0)]
    );
    // Small maps keep the floor; a given step size holds throughout.
    assert_eq!(phases(&params, 600, false)[0].learning_rate, 200.0);
    let fixed = TsneParams {
        learning_rate: Some(50.0),
        ..params
    };
    assert!(
        phases(&fixed, 24_000, false)
            .iter()
            .all(|p| p.learning_rate == 50.0)
    );
    // No exaggeration phase asked for: one plain phase.
    let plain = TsneParams {
        exaggeration_iterations: 0,
        ..TsneParams::default()
    };
    assert_eq!(
        phases(&plain, 24_000, false),
        vec![phase(750, 24_000.0, 1.0)]
    );
}

#[test]
fn affinities_join_each_image_to_its_exact_nearest_neighbours() {
    // More images than the engine's own search handled exactly (5,000; an inverted-file
    // index above, which missed some of them).
    let (x, _) = blobs(6_000, 8, 4, 3.0, 11);
    let graph = affinities(x.view(), &row_major(x.view()), 30.0, 0).unwrap();
    let k = neighbour_count(30.0, 6_000);
    assert_eq!(k, 90);
    let edges: std::collections::HashSet<(usize, usize)> = graph
        .row_indices
        .iter()
        .zip(&graph.col_indices)
        .map(|(&i, &j)| (i, j))
        .collect();
    for i in (0..6_000).step_by(150) {
        let row = x.row(i);
        let mut by_distance: Vec<(f64, usize)> = (0..6_000)
            .filter(|&j| j != i)
            .map(|j| {
                let d: f64 = row
                    .iter()
                    .zip(x.row(j))
                    .map(|(a, b)| f64::from(a - b).powi(2))
                    .sum();
                (d, j)
            })
            .collect();
        by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
        let missing: Vec<usize> = by_distance[..k]
            .iter()
            .map(|&(_, j)| j)
            .filter(|&j| !edges.contains(&(i, j)))
            .collect();
        assert!(missing.is_empty(), "image {i} lacks neighbours {missing:?}");
    }
}

/// The joint probabilities of `x` fitted in f64: each image's 3 x perplexity nearest,
/// Gaussian conditionals at `perplexity` (bisection on β to 1e-12), symmetrised and divided
/// by 2N. Keyed by (image, neighbour).
fn exact_affinities(
    x: &Array2<f32>,
    perplexity: f64,
) -> std::collections::HashMap<(usize, usize), f64> {
    let n = x.nrows();
    let k = neighbour_count(perplexity, n);
    let mut joint = std::collections::HashMap::new();
    for i in 0..n {
        let mut d: Vec<(f64, usize)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| {
                let (a, b) = (x.row(i), x.row(j));
                let s: f64 = a.iter().zip(b).map(|(a, b)| f64::from(a - b).powi(2)).sum();
                (s, j)
            })
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0));
        let near = &d[..k];
        let weights = |beta: f64| {
            near.iter()
                .map(|&(s, _)| (-beta * (s - near[0].0)).exp())
                .collect::<Vec<_>>()
        };
        let entropy = |beta: f64| {
            let w = weights(beta);
            let sum: f64 = w.iter().sum();
            let mean: f64 = w
                .iter()
                .zip(near)
                .map(|(w, &(s, _))| w * (s - near[0].0))
                .sum::<f64>()
                / sum;
            sum.ln() + beta * mean
        };
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        while entropy(hi) > perplexity.ln() {
            hi *= 2.0;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if entropy(mid) > perplexity.ln() {
                lo = mid
            } else {
                hi = mid
            }
        }
        let w = weights(0.5 * (lo + hi));
        let sum: f64 = w.iter().sum();
        for (w, &(_, j)) in w.iter().zip(near) {
            let p = w / sum / (2.0 * n as f64);
            *joint.entry((i, j)).or_insert(0.0) += p;
            *joint.entry((j, i)).or_insert(0.0) += p;
        }
    }
    joint
}

#[test]
fn affinities_are_the_exact_perplexity_fit_even_for_distant_images() {
    // Unit noise in 64 dimensions: the nearest neighbours lie at squared distances near
    // 100, where the engine's f32 fit of raw distances went wrong.
    let (x, _) = blobs(600, 64, 3, 3.0, 5);
    let graph = affinities(x.view(), &row_major(x.view()), 30.0, 0).unwrap();
    let exact = exact_affinities(&x, 30.0);
    assert_eq!(graph.values.len(), exact.len());
    let mut off = 0.0f64;
    for ((&i, &j), &p) in graph
        .row_indices
        .iter()
        .zip(&graph.col_indices)
        .zip(&graph.values)
    {
        let q = exact[&(i, j)];
        off += (f64::from(p) - q).abs();
        assert!(
            (f64::from(p) - q).abs() < 1e-3 * q,
            "P[{i},{j}] = {p}, exact {q}"
        );
    }
    assert!(
        off < 1e-4,
        "P differs from the exact fit by {off} of its mass"
    );
}
