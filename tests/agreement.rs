//! The command line and the viewer ask the same query functions: for each query, what
//! `deepscope COMMAND SAMPLE --json` prints is what the viewer holds once its jobs for the
//! same step and layer are done (scores and accuracy, the PCA map, every similarity matrix
//! and its class order, the mistakes, an image's neighbours and history, the clusters).

mod common {
    pub mod cli;
    pub mod runs;
    #[allow(dead_code)] // compares state, draws nothing
    pub mod viewer;
}

use common::cli::sample_json;
use common::viewer::{press, view_app};
use crossterm::event::KeyCode;
use deepscope::analysis::similarity::SimilaritySource;
use serde_json::Value;

/// The numbers of a JSON array, nested arrays flattened row by row.
fn numbers(v: &Value) -> Vec<f64> {
    match v.as_array() {
        Some(items) => items.iter().flat_map(numbers).collect(),
        None => vec![v.as_f64().unwrap()],
    }
}

/// What the viewer holds, written as JSON text and read back as the command line's is, so
/// that both are read alike (serde_json's parser may miss a double by one unit in the last
/// place; single-precision numbers are written shortest for f32).
fn as_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

#[test]
fn accuracy_by_step_and_the_pca_map_agree() {
    let (app, _store) = view_app('1');
    let info = sample_json(&["info"]);
    let accuracies = app.cache.accuracies.as_ref().unwrap();
    assert_eq!(accuracies.len(), 16);
    for (step, accuracy) in accuracies {
        assert_eq!(info["accuracy"][step.to_string()].as_f64(), Some(*accuracy));
    }
    let step = app.step().unwrap();
    assert_eq!(
        app.scores().unwrap().accuracy,
        *accuracies
            .iter()
            .find(|a| a.0 == step)
            .map(|(_, a)| a)
            .unwrap()
    );
    let pca = sample_json(&["project", "--layer", &app.layer]);
    assert_eq!(pca["step"].as_i64(), Some(step));
    let listed: Vec<f32> = numbers(&pca["points"]).iter().map(|&v| v as f32).collect();
    assert_eq!(
        listed,
        app.points().unwrap().iter().copied().collect::<Vec<_>>()
    );
}

#[test]
fn every_similarity_matrix_and_its_class_order_agree() {
    let (mut app, mut store) = view_app('2');
    let step = app.step().unwrap();
    for source in SimilaritySource::ALL {
        assert_eq!(app.matrix.source, source);
        let name = clap::ValueEnum::to_possible_value(&source).unwrap();
        let mut args = vec!["similarity", "--source", name.get_name()];
        if source == SimilaritySource::Centroids {
            args.extend(["--layer", &app.layer]);
        }
        let cli = sample_json(&args);
        assert_eq!(cli["step"].as_i64(), Some(step));
        let shown: Vec<f64> = app
            .matrix_at(step, source)
            .unwrap()
            .iter()
            .copied()
            .collect();
        assert_eq!(cli["matrix"].as_array().unwrap().len(), app.num_classes());
        assert_eq!(
            numbers(&cli["matrix"]),
            numbers(&as_json(&shown)),
            "{source:?}"
        );
        let order: Vec<usize> = serde_json::from_value(cli["order"].clone()).unwrap();
        assert_eq!(order, app.class_order(), "{source:?}");
        press(&mut app, &mut store, &[KeyCode::Char('s')]);
    }
}

#[test]
fn the_mistakes_an_image_s_neighbours_and_its_history_agree() {
    let (app, _store) = view_app('3');
    let cli = sample_json(&["misclassified"]);
    assert_eq!(cli, as_json(&app.visible_mistakes()));
    let image = app.mis_selected_image().unwrap().to_string();
    let lists = app.neighbour_lists(image.parse().unwrap()).unwrap();
    assert_eq!(lists.len(), 2);
    for (class, found) in lists {
        let k = deepscope::tui::NEIGHBOURS.to_string();
        let class = class.to_string();
        let args = ["neighbors", "--layer", &app.layer, "--image", &image];
        let cli = sample_json(&[&args[..], &["--class", &class, "--k", &k]].concat());
        let listed: Vec<(u64, f32)> = cli["neighbors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let distance = n["distance"].as_f64().unwrap() as f32;
                (n["image"].as_u64().unwrap(), distance)
            })
            .collect();
        let shown: Vec<(u64, f32)> = found
            .iter()
            .map(|n| (u64::from(n.image), n.distance))
            .collect();
        assert_eq!(listed, shown, "class {class}");
    }
    let history = sample_json(&["history", "--image", &image]);
    let shown = app.cache.histories[&image.parse().unwrap()]
        .as_ref()
        .unwrap();
    assert_eq!(history, as_json(shown));
}

#[test]
fn the_clusters_agree() {
    let (app, _store) = view_app('4');
    let clusters = app.current_clusters().unwrap();
    let k = app.cluster_k.to_string();
    let cli = sample_json(&["clusters", "--layer", &app.layer, "--k", &k, "--seed", "0"]);
    let assignment: Vec<u32> = serde_json::from_value(cli["assignment"].clone()).unwrap();
    assert_eq!(assignment, clusters.assignment);
    assert_eq!(cli["inertia"].as_f64(), Some(clusters.inertia));
    let sizes: Vec<usize> = cli["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["size"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(sizes, clusters.sizes);
}
