//! Neighbour search checked against the plainest brute force: identical neighbour lists for
//! both metrics, across product blocks, and degenerate queries.

use super::*;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn random(n: usize, d: usize) -> Array2<f32> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    Array2::from_shape_fn((n, d), |_| rng.gen_range(-1.0..1.0))
}

/// The plainest possible search: sort every other image by its f64 distance.
fn brute_force(
    x: &Array2<f32>,
    q: usize,
    k: usize,
    metric: Metric,
    among: Option<&[u32]>,
) -> Vec<u32> {
    let row = |i: usize| x.row(i).mapv(f64::from);
    let mut d: Vec<(f64, u32)> = (0..x.nrows())
        .filter(|&i| i != q && among.is_none_or(|a| a.contains(&(i as u32))))
        .map(|i| {
            let (a, b) = (row(q), row(i));
            let dist = match metric {
                Metric::Euclidean => (&a - &b).mapv(|v| v * v).sum().sqrt(),
                Metric::Cosine => 1.0 - a.dot(&b) / (a.dot(&a).sqrt() * b.dot(&b).sqrt()),
            };
            (dist, i as u32)
        })
        .collect();
    d.sort_by(|a, b| a.0.total_cmp(&b.0));
    d.into_iter().take(k).map(|(_, i)| i).collect()
}

#[test]
fn neighbours_are_identical_to_brute_force() {
    let x = random(3000, 16);
    let among: Vec<u32> = (0..3000).filter(|i| i % 3 == 0).collect();
    for metric in [Metric::Euclidean, Metric::Cosine] {
        for q in [0usize, 17, 2999] {
            let ids = |n: Vec<Neighbour>| n.into_iter().map(|n| n.image).collect::<Vec<_>>();
            assert_eq!(
                ids(nearest(x.view(), q as u32, 10, metric, None)),
                brute_force(&x, q, 10, metric, None)
            );
            assert_eq!(
                ids(nearest(x.view(), q as u32, 5, metric, Some(&among))),
                brute_force(&x, q, 5, metric, Some(&among))
            );
        }
        let many = nearest_many(x.view(), &[4, 99], 10, metric);
        assert_eq!(
            many[1].iter().map(|n| n.image).collect::<Vec<_>>(),
            brute_force(&x, 99, 10, metric, None)
        );
    }
}

#[test]
fn outside_queries_across_blocks_match_brute_force() {
    // More rows than one base block and more queries than one query block per thread.
    let base = random(2 * BASE_BLOCK + 77, 40);
    let queries = random(301, 40).mapv(|v| v * 0.9 + 0.05);
    let k = 13;
    for metric in [Metric::Euclidean, Metric::Cosine] {
        let found = knn(base.view(), queries.view(), k, metric);
        assert_eq!(found.len(), queries.nrows());
        for (qi, f) in found.iter().enumerate() {
            let q = queries.row(qi).mapv(f64::from);
            let mut all: Vec<(f64, u32)> = base
                .rows()
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let r = r.mapv(f64::from);
                    let d = match metric {
                        Metric::Euclidean => (&q - &r).mapv(|v| v * v).sum().sqrt(),
                        Metric::Cosine => 1.0 - q.dot(&r) / (q.dot(&q).sqrt() * r.dot(&r).sqrt()),
                    };
                    (d, i as u32)
                })
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0));
            let ids: Vec<u32> = f.iter().map(|n| n.image).collect();
            let truth: Vec<u32> = all.iter().take(k).map(|a| a.1).collect();
            assert_eq!(ids, truth, "{metric:?} query {qi}");
            for (n, (d, _)) in f.iter().zip(&all) {
                assert!(
                    (f64::from(n.distance) - d).abs() < 1e-4,
                    "{} vs {d}",
                    n.distance
                );
            }
        }
    }
    // k larger than the base: every row, nearest first.
    let all = knn(
        base.slice(ndarray::s![..5, ..]),
        queries.view(),
        9,
        Metric::Euclidean,
    );
    assert!(all.iter().all(|f| f.len() == 5));
}

#[test]
fn degenerate_queries_do_not_panic() {
    let x = Array2::<f32>::zeros((3, 2));
    assert_eq!(nearest(x.view(), 5, 3, Metric::Cosine, None), vec![]);
    let n = nearest(x.view(), 0, 10, Metric::Cosine, None);
    assert_eq!(n.len(), 2);
    assert!(n.iter().all(|n| n.distance == 1.0));
    assert_eq!(nearest(x.view(), 0, 0, Metric::Euclidean, None), vec![]);
}
