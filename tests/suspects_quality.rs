//! How well each ranking finds the flipped labels of synthetic runs: precision and recall of
//! the queue's top n, n = the number of labels flipped, at 2%, 5% and 10% label noise over
//! several seeds (15 runs of 5,000 images, a few seconds). It fails if combined does not beat
//! confident learning alone on the median; to see the table:
//!
//!     cargo test --test suspects_quality -- --nocapture

use deepscope::analysis::suspects::{Method, RankBy};
use deepscope::query::suspects::{SuspectOptions, suspects};
use deepscope::store::Writer;
use deepscope::synth::{SynthParams, write_with_label_noise};

const METHODS: [Method; 3] = [Method::Confident, Method::Dynamics, Method::Combined];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Precision and recall of the top n of each method's queue (in `METHODS` order) on one
/// synthetic run with `noise` of its labels flipped.
fn scores(params: &SynthParams, noise: f64) -> Vec<(f64, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    let mut writer = Writer::create(&path).unwrap();
    write_with_label_noise(params, noise, &mut writer, |_| {}).unwrap();
    writer.finish().unwrap();
    let store = deepscope::store::Store::open(&path).unwrap();
    let flipped: Vec<u32> = serde_json::from_str(&store.catalog().meta["flipped_labels"]).unwrap();
    let n = flipped.len();
    METHODS
        .into_iter()
        .map(|method| {
            let options = SuspectOptions {
                step: None,
                method,
                rank_by: RankBy::SelfConfidence,
            };
            let queue = suspects(&store, &options).unwrap();
            let top: Vec<u32> = queue.suspects.iter().take(n).map(|s| s.image).collect();
            let hits = top.iter().filter(|i| flipped.contains(i)).count() as f64;
            (hits / top.len().max(1) as f64, hits / n as f64)
        })
        .collect()
}

/// Median precision and recall of each method over `seeds` runs at `noise`, printed as the
/// table's rows with their spread.
fn medians(base: &SynthParams, noise: f64, seeds: u64) -> Vec<(f64, f64)> {
    let runs: Vec<_> = (0..seeds)
        .map(|seed| {
            scores(
                &SynthParams {
                    seed,
                    ..base.clone()
                },
                noise,
            )
        })
        .collect();
    let span = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("{lo:.3}-{hi:.3}")
    };
    METHODS
        .iter()
        .enumerate()
        .map(|(m, method)| {
            let p: Vec<f64> = runs.iter().map(|r| r[m].0).collect();
            let r: Vec<f64> = runs.iter().map(|r| r[m].1).collect();
            let (mp, mr) = (median(p.clone()), median(r.clone()));
            println!(
                "{:>4.0}%  {:<10} {mp:.3} ({})              {mr:.3} ({})",
                noise * 100.0,
                format!("{method:?}").to_lowercase(),
                span(&p),
                span(&r)
            );
            (mp, mr)
        })
        .collect()
}

const HEADER: &str = "noise  method     precision@n (median, min-max)  recall@n (median, min-max)";

#[test]
fn combined_beats_confident_learning_on_noisy_synthetic_runs() {
    let params = SynthParams {
        images: 5000,
        classes: 20,
        dim: 8,
        steps: 20,
        superclasses: 4,
        seed: 0,
    };
    println!("{HEADER}");
    // The whole table first, then the verdict on every row of it.
    let medians: Vec<(f64, Vec<(f64, f64)>)> = [0.02, 0.05, 0.10]
        .into_iter()
        .map(|noise| (noise, medians(&params, noise, 5)))
        .collect();
    for (noise, m) in medians {
        let (confident, combined) = (m[0], m[2]);
        assert!(
            combined.0 > confident.0 && combined.1 > confident.1,
            "noise {noise}: combined {combined:?} vs confident {confident:?}"
        );
    }
}
