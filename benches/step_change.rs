//! What the viewer's worker does when the user steps to a new PCA map on a 50,000 x 512
//! run: on the last step's fixed axes (the default: load the step, project it) against each
//! step's own axes (load, fit PCA, project, align), and against the reference the issue
//! names, the whole `deepscope project` of that step (a process: open, load, fit, print).
//! The viewer also computes the next step's map while one is shown, so stepping one step
//! at a time usually finds it ready; this is the change to a step it had not computed.
//!
//!     cargo bench --bench step_change
//!
//! The run is written to a temporary folder first (about 0.5 GB; a minute), or taken from
//! `DEEPSCOPE_BENCH_RUN` when that names an existing 50,000 x 512 run of several steps.

#[path = "common/synthetic.rs"]
mod synthetic;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use deepscope::analysis::Method;
use deepscope::store::Store;
use deepscope::synth::SynthParams;
use deepscope::tui::jobs::{Request, Response, compute};
use synthetic::synthetic_run;

fn run() -> (PathBuf, Option<tempfile::TempDir>) {
    let params = SynthParams {
        images: 50_000,
        classes: 100,
        dim: 512,
        steps: 5,
        superclasses: 10,
        seed: 0,
    };
    synthetic_run("DEEPSCOPE_BENCH_RUN", "big.sqlite", &params)
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let (path, _dir) = run();
    let mut store = Store::open(&path).expect("open");
    let steps: Vec<i64> = store.catalog().steps.iter().map(|s| s.step).collect();
    let layer = store
        .catalog()
        .default_features_layer()
        .expect("a features layer")
        .name
        .clone();
    let last = *steps.last().expect("steps");
    let axes = match compute(
        &mut store,
        Request::Axes {
            step: last,
            layer: layer.clone(),
        },
        None,
        &mut |_| {},
    ) {
        Response::Axes { basis, .. } => basis,
        other => panic!("{other:?}"),
    };
    let reference = match compute(&mut store, map(last, &layer, None, None), None, &mut |_| {}) {
        Response::Projection { points, .. } => points,
        other => panic!("{other:?}"),
    };
    let step = steps[steps.len() / 2];
    let fixed = median_ms(|| {
        let r = map(step, &layer, Some((last, axes.clone())), None);
        compute(&mut store, r, None, &mut |_| {});
    });
    let own = median_ms(|| {
        let r = map(step, &layer, None, Some((last, reference.clone())));
        compute(&mut store, r, None, &mut |_| {});
    });
    let load = median_ms(|| {
        store.load(step, &layer).expect("load");
    });
    println!("step change to step {step}, 50,000 x 512 (median of 7):");
    println!("  load the step alone            {load:>8.1} ms");
    println!("  PCA on the last step's axes    {fixed:>8.1} ms");
    println!("  PCA on the step's own axes     {own:>8.1} ms");
    println!("  ratio fixed / own              {:>8.2}", fixed / own);
    let cli = median_ms(|| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_deepscope"))
            .args([
                "project",
                "--step",
                &step.to_string(),
                "--layer",
                &layer,
                "--json",
            ])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("deepscope project runs");
        assert!(status.success());
    });
    println!("  deepscope project (a process)  {cli:>8.1} ms");
    println!("  ratio fixed / project          {:>8.2}", fixed / cli);
}

type Axes = Option<(i64, Arc<deepscope::analysis::project::PcaBasis>)>;

fn map(
    step: i64,
    layer: &str,
    axes: Axes,
    reference: Option<(i64, Arc<ndarray::Array2<f32>>)>,
) -> Request {
    Request::Projection {
        step,
        layer: layer.into(),
        method: Method::Pca,
        reference,
        axes,
        fresh: false,
    }
}
