//! Frame rendering at the sizes users have: the projection with 50,000 points and the
//! similarity matrix with 1,000 classes, drawn into a 200x60 TestBackend.
//!
//!     cargo bench --bench render

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use deepscope::analysis::misclassified::misclassified;
use deepscope::analysis::ordering::{Linkage, order_classes};
use deepscope::analysis::predict::predict;
use deepscope::analysis::similarity::SimilaritySource;
use deepscope::model::{Catalog, Layer, LayerKind, Step};
use deepscope::query::scores::StepScores;
use deepscope::query::similarity::Matrices;
use deepscope::tui::app::{App, View};
use deepscope::tui::jobs::OrderKey;
use deepscope::tui::theme::{ColourMode, Theme};
use deepscope::tui::views;
use ndarray::Array2;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// An app whose caches hold a step of `n` images of `k` classes, as if the worker had run.
fn app(n: usize, k: usize) -> App {
    let labels: Vec<u32> = (0..n).map(|i| (i % k) as u32).collect();
    let catalog = Catalog {
        classes: (0..k).map(|c| format!("class{c}")).collect(),
        labels: labels.clone(),
        image_names: vec![None; n],
        splits: vec![None; n],
        layers: vec![
            Layer {
                name: "feat".into(),
                dim: 64,
                kind: LayerKind::Features,
            },
            Layer {
                name: "logits".into(),
                dim: k,
                kind: LayerKind::Logits,
            },
        ],
        steps: vec![Step {
            step: 0,
            epoch: None,
            wall_time: None,
            layers: vec!["feat".into(), "logits".into()],
        }],
        ..Default::default()
    };
    let mut app = App::new(PathBuf::from("bench.sqlite"), catalog);
    // Points on k rings, logits favouring the true class for most images.
    let points = Array2::from_shape_fn((n, 2), |(i, j)| {
        let (c, t) = ((i % k) as f32, i as f32 * 0.618);
        if j == 0 {
            c.cos() * 10.0 + t.sin()
        } else {
            c.sin() * 10.0 + t.cos()
        }
    });
    let logits = Array2::from_shape_fn((n, k), |(i, j)| {
        if j == i % k || (i % 7 == 0 && j == (i + 1) % k) {
            2.0
        } else {
            0.0
        }
    });
    let predictions = predict(logits.view(), LayerKind::Logits);
    let scores = StepScores {
        misclassified: misclassified(logits.view(), LayerKind::Logits, &labels),
        predictions,
        probabilities: logits.clone(),
        accuracy: 0.9,
    };
    let correlation = Array2::from_shape_fn((k, k), |(a, b)| {
        if a == b {
            1.0
        } else if a / 10 == b / 10 {
            0.5
        } else {
            0.0
        }
    });
    let order = order_classes(correlation.view(), Linkage::Average);
    app.cache.orders.insert(
        OrderKey {
            step: 0,
            source: SimilaritySource::Logits,
            linkage: Linkage::Average,
        },
        Arc::new(order),
    );
    app.cache.similarity.insert(
        0,
        Arc::new(Matrices {
            correlation: Some(correlation),
            confusion: Some(Array2::zeros((k, k))),
            centroids: None,
        }),
    );
    app.cache.scores.insert(0, Arc::new(scores));
    app.cache.projections.insert(
        (0, "feat".into(), deepscope::analysis::Method::Pca),
        Arc::new(points),
    );
    app
}

fn bench(name: &str, app: &App) {
    let theme = Theme::new(ColourMode::TrueColour);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        terminal
            .draw(|f| {
                views::draw(
                    f,
                    app,
                    &theme,
                    &mut deepscope::tui::graphics::Graphics::none(),
                )
            })
            .expect("draw");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name:<44} median {:>7.2} ms   max {:>7.2} ms",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

fn main() {
    let mut projection = app(50_000, 10);
    projection.view = View::Projection;
    bench("projection frame, 50,000 points, 200x60", &projection);
    let mut matrix = app(5_000, 1000);
    matrix.view = View::Similarity;
    bench("similarity frame, 1,000 classes, 200x60", &matrix);
    let mut mistakes = app(50_000, 10);
    mistakes.view = View::Misclassified;
    bench("misclassified frame, 50,000 images, 200x60", &mistakes);
}
