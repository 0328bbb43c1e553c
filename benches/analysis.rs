//! Analysis kernels timed on the data `../shared/bench/anchors.py --dump DIR` writes, next to
//! the reference tools' times from the JSON that same script writes, as ratios.
//!
//!     python3 ../shared/bench/anchors.py --only pca,knn,kmeans,simmat --dump /tmp/bd --json /tmp/bd/anchors.json
//!     DEEPSCOPE_BENCH_DATA=/tmp/bd cargo bench --bench analysis
//!
//! `DEEPSCOPE_BENCH_ONLY=kmeans,simmat` runs only those sections (as anchors.py's `--only`;
//! sections: sample, pca, knn, kmeans, simmat), on data dumped for them alone.
//!
//! `benches/kernel_reference.py /tmp/bd` re-times only the reference rows of this table (same
//! harness and data as anchors.py) in a minute, to interleave with this bench. The ratio is
//! against the fastest reference tool for the row. The k-means rows on the bundled sample
//! compare with `benches/kmeans_reference.py` (scikit-learn) and linfa's KMeans.
//!
//! A plain bench binary (median of repeated runs) rather than criterion: what is compared is
//! seconds against the other tools' medians measured the same way, in the same sitting.

use std::path::{Path, PathBuf};
use std::time::Instant;

use deepscope::analysis::cluster::kmeans;
use deepscope::analysis::neighbours::{Metric, knn, nearest_many};
use deepscope::analysis::ordering::{Linkage, order_classes};
use deepscope::analysis::project::pca_2d;
use deepscope::analysis::similarity::logit_correlation;
use ndarray::{Array1, Array2, s};
use ndarray_npy::read_npy;

/// Median wall time of `reps` runs after one warm-up, and the last result.
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = f();
    let mut times = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        out = f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], out)
}

/// Whether DEEPSCOPE_BENCH_ONLY (a comma-separated list) selects this section; all by default.
fn wanted(section: &str) -> bool {
    std::env::var("DEEPSCOPE_BENCH_ONLY")
        .map(|only| only.split(',').any(|s| s.trim() == section))
        .unwrap_or(true)
}

/// The reference tools' results from anchors.json: (section, tool, shape) -> median seconds.
fn anchors(dir: &Path) -> Vec<serde_json::Value> {
    let Ok(text) = std::fs::read_to_string(dir.join("anchors.json")) else {
        return vec![];
    };
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    json["results"].as_array().cloned().unwrap_or_default()
}

/// The best (fastest) reference for this shape among tools whose names start with one of
/// `tools`, and that tool's name.
fn reference(anchors: &[serde_json::Value], tools: &[&str], shape: &str) -> Option<(f64, String)> {
    anchors
        .iter()
        .filter(|r| {
            r["tool"]
                .as_str()
                .is_some_and(|t| tools.iter().any(|p| t.starts_with(p)))
                && r["shape"].as_str() == Some(shape)
        })
        .filter_map(|r| Some((r["median_s"].as_f64()?, r["tool"].as_str()?.to_string())))
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

fn report(
    anchors: &[serde_json::Value],
    what: &str,
    shape: &str,
    ours: f64,
    tools: &[&str],
    extra: &str,
) {
    match reference(anchors, tools, shape) {
        Some((theirs, tool)) => println!(
            "{what:<28} {shape:<24} deepscope {ours:>8.4} s   {tool:<24} {theirs:>8.4} s   ratio {:>5.2}  {extra}",
            ours / theirs
        ),
        None => println!(
            "{what:<28} {shape:<24} deepscope {ours:>8.4} s   ({}: not measured)  {extra}",
            tools.join(", ")
        ),
    }
}

/// k-means on the bundled sample (fc64, last step), ten seeds at k = 10 and 30: deepscope's
/// and linfa's KMeans (k-means++ start, one run) side by side, median and worst inertia and
/// median time. scikit-learn's figures come from `benches/kmeans_reference.py`.
fn sample_kmeans() {
    use linfa::DatasetBase;
    use linfa::traits::Fit;
    use linfa_clustering::{KMeans, KMeansInit};
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist.sqlite");
    let Ok(store) = deepscope::store::Store::open(&path) else {
        return;
    };
    let Some(last) = store.catalog().steps.last().map(|s| s.step) else {
        return;
    };
    let x = store.load(last, "fc64").expect("fc64");
    let labels = store.catalog().labels.clone();
    let x64 = x.mapv(f64::from);
    let summary = |mut v: Vec<(f64, f64)>| {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        let worst = v.last().map_or(0.0, |w| w.0);
        let median_inertia = (v[4].0 + v[5].0) / 2.0;
        let mut t: Vec<f64> = v.iter().map(|p| p.1).collect();
        t.sort_by(f64::total_cmp);
        format!(
            "median inertia {median_inertia:>10.1}  worst {worst:>10.1}  median time {:>7.2} ms",
            (t[4] + t[5]) / 2.0 * 1e3
        )
    };
    for k in [10usize, 30] {
        let ours: Vec<(f64, f64)> = (0..10)
            .map(|seed| {
                let (t, c) = time(3, || kmeans(x.view(), &labels, k, seed).expect("k-means"));
                (c.inertia, t)
            })
            .collect();
        println!(
            "k-means sample fc64 k={k:<3} deepscope, seeds 0-9: {}",
            summary(ours)
        );
        let data = DatasetBase::from(x64.clone());
        let theirs: Vec<(f64, f64)> = (0..10)
            .map(|seed| {
                let (t, model) = time(1, || {
                    KMeans::params_with_rng(k, Xoshiro256PlusPlus::seed_from_u64(seed))
                        .n_runs(1)
                        .init_method(KMeansInit::KMeansPlusPlus)
                        .fit(&data)
                        .expect("linfa k-means")
                });
                let c = model.centroids();
                let inertia: f64 = x64
                    .rows()
                    .into_iter()
                    .map(|r| {
                        c.rows()
                            .into_iter()
                            .map(|c| (&r - &c).mapv(|v| v * v).sum())
                            .fold(f64::INFINITY, f64::min)
                    })
                    .sum();
                (inertia, t)
            })
            .collect();
        println!(
            "k-means sample fc64 k={k:<3} linfa,     seeds 0-9: {}",
            summary(theirs)
        );
    }
}

fn main() {
    if wanted("sample") {
        sample_kmeans();
    }
    let dir = PathBuf::from(
        std::env::var("DEEPSCOPE_BENCH_DATA").unwrap_or_else(|_| "target/bench-data".into()),
    );
    if !dir.join("X_D64.npy").exists() {
        // Loud and non-zero: a benchmark run that measured nothing must not look like a pass.
        eprintln!(
            "\n*** NO BENCHMARK DATA in {}: nothing was measured. Run \
             ../shared/bench/anchors.py --dump {} first (or set DEEPSCOPE_BENCH_DATA). ***\n",
            dir.display(),
            dir.display()
        );
        std::process::exit(2);
    }
    let anchors = anchors(&dir);
    let threads = rayon::current_num_threads();
    println!(
        "deepscope analysis benchmarks on {} ({threads} threads)",
        dir.display()
    );

    for d in [64usize, 512] {
        if !wanted("pca") && !wanted("knn") {
            break;
        }
        let x: Array2<f32> = read_npy(dir.join(format!("X_D{d}.npy"))).expect("X");
        for n in [10_000usize, 50_000, 200_000] {
            if !wanted("pca") {
                break;
            }
            let view = x.slice(s![..n, ..]);
            let (t, p) = time(3, || pca_2d(view).unwrap());
            let [a, b] = p.explained_variance_ratio.unwrap();
            report(
                &anchors,
                "PCA to 2-D",
                &format!("N={n} D={d} f32"),
                t,
                &["sklearn PCA", "numpy cov+eigh"],
                &format!("explained {a:.5} {b:.5}"),
            );
        }
        if !wanted("knn") {
            continue;
        }
        let q: Array2<f32> = read_npy(dir.join(format!("Q_D{d}.npy"))).expect("Q");
        for n in [50_000usize, 200_000] {
            let base = x.slice(s![..n, ..]);
            let (t, found) = time(3, || knn(base, q.view(), 10, Metric::Euclidean));
            let recall = match read_npy::<_, Array2<i64>>(dir.join(format!("gt_D{d}_N{n}.npy"))) {
                Ok(gt) => {
                    let hits: usize = found
                        .iter()
                        .zip(gt.rows())
                        .map(|(f, g)| {
                            f.iter()
                                .filter(|nb| g.iter().take(10).any(|&i| i == nb.image as i64))
                                .count()
                        })
                        .sum();
                    format!("recall {:.4}", hits as f64 / (10 * found.len()) as f64)
                }
                Err(_) => String::new(),
            };
            report(
                &anchors,
                "exact 10-NN, 1,000 queries",
                &format!("M=1000 N={n} D={d}"),
                t,
                &["faiss IndexFlatL2", "numpy GEMM brute", "sklearn NN brute"],
                &recall,
            );
        }
    }

    let x: Array2<f32> = read_npy(dir.join("X_D64.npy")).expect("X");
    if wanted("knn") {
        let all: Vec<u32> = (0..10_000).collect();
        let (t, _) = time(3, || {
            nearest_many(x.slice(s![..10_000, ..]), &all, 10, Metric::Euclidean)
        });
        report(
            &anchors,
            "exact 10-NN, all pairs",
            "N=10000 D=64 all pairs",
            t,
            &["faiss IndexFlatL2", "numpy GEMM brute"],
            "",
        );
    }
    if wanted("kmeans") {
        let y: Array1<i32> = read_npy(dir.join("y_D64.npy")).expect("y");
        let n = 50_000;
        let labels: Vec<u32> = y.iter().take(n).map(|&l| l as u32).collect();
        let (t, c) = time(3, || kmeans(x.slice(s![..n, ..]), &labels, 30, 0).unwrap());
        report(
            &anchors,
            "k-means k=30",
            &format!("N={n} D=64 k=30"),
            t,
            &["sklearn KMeans n_init=1"],
            &format!("inertia {:.6e} in {} iterations", c.inertia, c.iterations),
        );
    }

    for k in [10usize, 100, 1000, 2622] {
        if !wanted("simmat") {
            break;
        }
        let Ok(logits) = read_npy::<_, Array2<f32>>(dir.join(format!("logits_K{k}.npy"))) else {
            continue;
        };
        let (t, corr) = time(3, || logit_correlation(logits.view()));
        report(
            &anchors,
            "logit correlation",
            &format!("N={} K={k}", logits.nrows()),
            t,
            &["numpy corrcoef"],
            "",
        );
        let (t, order) = time(3, || order_classes(corr.view(), Linkage::Average));
        report(
            &anchors,
            "class ordering (average)",
            &format!("N={} K={k}", logits.nrows()),
            t,
            &["scipy linkage average"],
            &format!("{} leaves", order.order.len()),
        );
    }
}
