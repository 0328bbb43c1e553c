//! How well each ranking finds the flipped labels of synthetic runs: precision and recall of
//! the queue's top n, n = the number of labels flipped, at 2%, 5% and 10% label noise over
//! several seeds. Ignored by default (it writes 15 runs); run it with
//!
//!     cargo test --release --test suspects_quality -- --ignored --nocapture
//!
//! and it prints the table and fails if combined does not beat confident learning alone on
//! the median.

use deepscope::analysis::suspects::{Method, RankBy};
use deepscope::query::suspects::{SuspectOptions, suspects};
use deepscope::store::Writer;
use deepscope::synth::{SynthParams, write_with_label_noise};

const SEEDS: u64 = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Precision and recall of the top n of each method's queue on one synthetic run.
fn scores(noise: f64, seed: u64) -> Vec<(Method, f64, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sqlite");
    let params = SynthParams {
        images: 5000,
        classes: 20,
        dim: 8,
        steps: 20,
        superclasses: 4,
        seed,
    };
    let mut writer = Writer::create(&path).unwrap();
    write_with_label_noise(&params, noise, &mut writer, |_| {}).unwrap();
    writer.finish().unwrap();
    let store = deepscope::store::Store::open(&path).unwrap();
    let flipped: Vec<u32> = serde_json::from_str(&store.catalog().meta["flipped_labels"]).unwrap();
    let n = flipped.len();
    [Method::Confident, Method::Dynamics, Method::Combined]
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
            (method, hits / top.len().max(1) as f64, hits / n as f64)
        })
        .collect()
}

#[test]
#[ignore = "writes 15 synthetic runs; run with --ignored --nocapture for the table"]
fn combined_beats_confident_learning_on_noisy_synthetic_runs() {
    println!("noise  method     precision@n (median, min-max)  recall@n (median, min-max)");
    for noise in [0.02, 0.05, 0.10] {
        let runs: Vec<_> = (0..SEEDS).map(|seed| scores(noise, seed)).collect();
        let mut medians = Vec::new();
        for (m, method) in [Method::Confident, Method::Dynamics, Method::Combined]
            .into_iter()
            .enumerate()
        {
            let p: Vec<f64> = runs.iter().map(|r| r[m].1).collect();
            let r: Vec<f64> = runs.iter().map(|r| r[m].2).collect();
            let span = |v: &[f64]| {
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                format!("{lo:.3}-{hi:.3}")
            };
            println!(
                "{:>4.0}%  {:<10} {:.3} ({})              {:.3} ({})",
                noise * 100.0,
                format!("{method:?}").to_lowercase(),
                median(p.clone()),
                span(&p),
                median(r.clone()),
                span(&r)
            );
            medians.push((median(p), median(r)));
        }
        let (confident, combined) = (medians[0], medians[2]);
        assert!(
            combined.1 > confident.1 && combined.0 >= confident.0 - 0.02,
            "noise {noise}: combined {combined:?} vs confident {confident:?}"
        );
    }
}
