use super::*;

fn settings(epochs: usize) -> LayoutSettings {
    LayoutSettings {
        a: 1.577,
        b: 0.895,
        epochs,
        negative_rate: 5,
        repulsion: 1.0,
        learning_rate: 1.0,
        seed: 0,
    }
}

/// Two cliques of `size` images with no edges between them.
fn two_cliques(size: usize) -> CoordinateList<f32> {
    let (mut rows, mut cols, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..2 * size {
        for j in 0..2 * size {
            if i != j && i / size == j / size {
                rows.push(i);
                cols.push(j);
                values.push(1.0);
            }
        }
    }
    CoordinateList {
        row_indices: rows,
        col_indices: cols,
        values,
        n_samples: 2 * size,
    }
}

fn spread_start(n: usize) -> Vec<[f32; 2]> {
    (0..n)
        .map(|i| {
            [
                (i as f32 * 2.399).cos() * 5.0,
                (i as f32 * 2.399).sin() * 5.0,
            ]
        })
        .collect()
}

fn mean_distance(p: &[[f32; 2]], a: std::ops::Range<usize>, b: std::ops::Range<usize>) -> f32 {
    let mut total = 0.0;
    let mut count = 0;
    for i in a {
        for j in b.clone() {
            if i != j {
                total += ((p[i][0] - p[j][0]).powi(2) + (p[i][1] - p[j][1]).powi(2)).sqrt();
                count += 1;
            }
        }
    }
    total / count as f32
}

#[test]
fn cliques_gather_and_separate() {
    let graph = two_cliques(20);
    let mut p = spread_start(40);
    optimise_layout(&mut p, &graph, &settings(200));
    assert!(p.iter().flatten().all(|v| v.is_finite()));
    let within = mean_distance(&p, 0..20, 0..20).max(mean_distance(&p, 20..40, 20..40));
    let between = mean_distance(&p, 0..20, 20..40);
    assert!(between > 3.0 * within, "within {within}, between {between}");
}

#[test]
fn same_seed_same_layout_and_seed_matters() {
    let graph = two_cliques(10);
    let run = |seed| {
        let mut p = spread_start(20);
        optimise_layout(
            &mut p,
            &graph,
            &LayoutSettings {
                seed,
                ..settings(50)
            },
        );
        p
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn edge_schedule_follows_weights() {
    // One edge of weight 1 and one of 0.25: the second falls due every 4 epochs.
    let graph = CoordinateList {
        row_indices: vec![0, 1, 1, 2],
        col_indices: vec![1, 0, 2, 1],
        values: vec![1.0, 1.0, 0.25, 0.25],
        n_samples: 3,
    };
    let mut p = vec![[0.0, 0.0], [10.0, 0.0], [20.0, 0.0]];
    let s = LayoutSettings {
        negative_rate: 1,
        repulsion: 0.0,
        ..settings(4)
    };
    optimise_layout(&mut p, &graph, &s);
    // Image 0 is pulled at epochs 1, 2, 3; image 2 only from epoch 4 on, which is
    // past the last epoch, so it has not moved.
    assert!(p[0][0] > 0.0);
    assert_eq!(p[2], [20.0, 0.0]);
}

#[test]
fn due_edges_follow_the_sampling_rate() {
    // Rates 1, 1/2, 1/3 and 0: due every epoch, every second, every third, never.
    let cols = [7, 8, 9, 10];
    let rates = [1.0, 0.5, 1.0 / 3.0, 0.0];
    let mut due = [0u32; 4];
    let mut seen = vec![Vec::new(); 13];
    for (epoch, seen) in seen.iter_mut().enumerate() {
        let before = epoch.saturating_sub(1) as f32;
        let count = take_due(&mut due, &cols, &rates, epoch as f32, before);
        seen.extend_from_slice(&due[..count]);
    }
    assert!(seen[0].is_empty());
    assert_eq!(seen[1], [7]);
    assert_eq!(seen[2], [7, 8]);
    assert_eq!(seen[3], [7, 9]);
    assert_eq!(seen[6], [7, 8, 9]);
    let times = |c: u32| seen.iter().filter(|s| s.contains(&c)).count();
    assert_eq!([times(7), times(8), times(9), times(10)], [12, 6, 4, 0]);
}

#[test]
fn strangers_are_uniform_and_never_the_image_itself() {
    let mut rng = SplitMix64::seed_from_u64(1);
    let mut out = vec![0u32; 30_001];
    let written = draw_strangers(&mut out, 30_001, 2, 3, &mut rng);
    let drawn = &out[..written];
    assert!(
        drawn.iter().all(|&k| k < 2),
        "image 2 itself or out of range"
    );
    // About a third of the draws hit image 2 and are left out; 0 and 1 share the rest.
    assert!(
        (written as f64 / 30_001.0 - 2.0 / 3.0).abs() < 0.02,
        "{written}"
    );
    let zeros = drawn.iter().filter(|&&k| k == 0).count();
    assert!(
        (zeros as f64 / written as f64 - 0.5).abs() < 0.02,
        "{zeros} of {written}"
    );
}

#[test]
fn coincident_points_come_apart() {
    let graph = two_cliques(5);
    let mut p = vec![[1.0, 1.0]; 10];
    optimise_layout(&mut p, &graph, &settings(30));
    assert!(p.iter().flatten().all(|v| v.is_finite()));
    assert!(p.iter().any(|q| *q != p[0]));
}
