//! `deepscope info` against the numpy script a user would otherwise write
//! (`benches/accuracy_numpy.py`: sqlite3 reads each step's logits, numpy takes the argmax),
//! on the run of 50,000 images x 100 classes x 30 steps, the two interleaved. Both
//! print an accuracy per step; the bench stops if they disagree.
//!
//!     cargo bench --bench info
//!
//! The run is written to a temporary folder first (about 0.7 GB; a few seconds), or taken
//! from `DEEPSCOPE_BENCH_INFO_RUN`. `DEEPSCOPE_BENCH_PYTHON` names the Python with numpy
//! (default `python3`).

#[path = "common/synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use deepscope::synth::SynthParams;
use synthetic::synthetic_run;

const ROUNDS: usize = 8;

fn run() -> (PathBuf, Option<tempfile::TempDir>) {
    let params = SynthParams {
        images: 50_000,
        classes: 100,
        dim: 16,
        steps: 30,
        superclasses: 10,
        seed: 0,
    };
    synthetic_run("DEEPSCOPE_BENCH_INFO_RUN", "info.sqlite", &params)
}

/// Seconds the command took and what it printed.
fn timed(command: &mut Command) -> (f64, String) {
    let t = Instant::now();
    let out = command.output().expect("the command runs");
    let seconds = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (seconds, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// numpy's accuracies, one "step accuracy" line each.
fn numpy_accuracies(text: &str) -> Vec<(i64, f64)> {
    text.lines()
        .filter_map(|l| {
            let (step, accuracy) = l.split_once(' ')?;
            Some((step.parse().ok()?, accuracy.parse().ok()?))
        })
        .collect()
}

/// `info --json`'s accuracies in step order.
fn info_accuracies(text: &str) -> Vec<(i64, f64)> {
    let json: serde_json::Value = serde_json::from_str(text).expect("info prints JSON");
    let mut found: Vec<(i64, f64)> = json["accuracy"]
        .as_object()
        .expect("an accuracy per step")
        .iter()
        .map(|(s, a)| (s.parse().unwrap(), a.as_f64().unwrap()))
        .collect();
    found.sort_by_key(|(s, _)| *s);
    found
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let (path, _dir) = run();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/accuracy_numpy.py");
    let python = std::env::var("DEEPSCOPE_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let ours = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_deepscope"));
        c.arg("info").arg("--json").arg(&path);
        c
    };
    let theirs = || {
        let mut c = Command::new(&python);
        c.arg(&script).arg(&path);
        c
    };
    let (mut deepscope, mut numpy) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (t, out) = timed(&mut ours());
        deepscope.push(t);
        let (u, reference) = timed(&mut theirs());
        numpy.push(u);
        if round == 0 {
            let (a, b) = (info_accuracies(&out), numpy_accuracies(&reference));
            assert_eq!(a.len(), b.len(), "as many steps");
            for ((s, x), (r, y)) in a.iter().zip(&b) {
                assert!(
                    s == r && (x - y).abs() < 1e-12,
                    "step {s}: {x} vs numpy {y}"
                );
            }
        }
    }
    let (ours, reference) = (median(deepscope), median(numpy));
    println!("deepscope info against numpy, {ROUNDS} rounds interleaved (median):");
    println!("  deepscope info          {ours:>8.3} s");
    println!("  numpy script            {reference:>8.3} s");
    println!("  ratio                   {:>8.2}", ours / reference);
}
