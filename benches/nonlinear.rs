//! t-SNE and UMAP timings on the data `../shared/bench/anchors.py --dump DIR` writes.
//!
//! `cargo bench --bench nonlinear -- DUMP_DIR OUT_DIR [N ...] [--only tsne|umap]
//!  [--iterations I] [--exaggeration E] [--learning-rate L] [--epochs E] [--seed S]`
//! maps the first N rows of DUMP_DIR/X_D64.npy (default N = 10000 and 50000), prints wall
//! time (and KL for t-SNE), and saves OUT_DIR/deepscope_{tsne,umap}_N{N}.npy for
//! `../shared/bench/kl_eval.py OUT_DIR`, which scores every tool's maps the same way.

use std::path::PathBuf;
use std::time::Instant;

use deepscope::analysis::nonlinear::tsne::tsne_2d_reporting;
use deepscope::analysis::nonlinear::umap::umap_2d_reporting;
use deepscope::analysis::nonlinear::{Stage, TsneParams, UmapParams};
use ndarray::{Array2, s};
use ndarray_npy::{read_npy, write_npy};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let (Some(dump), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: nonlinear DUMP_DIR OUT_DIR [N ...] [--only tsne|umap] [--iterations I]");
        std::process::exit(2);
    };
    let (dump, out) = (PathBuf::from(dump), PathBuf::from(out));
    let mut sizes = Vec::new();
    let mut only = None;
    let mut tsne = TsneParams::default();
    let mut umap = UmapParams::default();
    let rest: Vec<String> = args.collect();
    let mut i = 0;
    while i < rest.len() {
        let value = || rest.get(i + 1).cloned().unwrap_or_default();
        match rest[i].as_str() {
            "--only" => only = Some(value()),
            "--seed" => {
                let seed = value().parse().expect("--seed");
                tsne.seed = seed;
                umap.seed = seed;
            }
            "--iterations" => tsne.iterations = value().parse().expect("--iterations"),
            "--exaggeration" => tsne.exaggeration = value().parse().expect("--exaggeration"),
            "--learning-rate" => {
                tsne.learning_rate = Some(value().parse().expect("--learning-rate"))
            }
            "--epochs" => umap.epochs = Some(value().parse().expect("--epochs")),
            n => {
                sizes.push(n.parse::<usize>().expect("N"));
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    if sizes.is_empty() {
        sizes = vec![10_000, 50_000];
    }
    let x: Array2<f32> = read_npy(dump.join("X_D64.npy")).expect("X_D64.npy");
    std::fs::create_dir_all(&out).expect("OUT_DIR");
    println!(
        "threads={} tsne={tsne:?} umap={umap:?}",
        rayon::current_num_threads()
    );
    for n in sizes {
        let xn = x.slice(s![..n, ..]);
        if only.as_deref() != Some("umap") {
            let t = Instant::now();
            let map = tsne_2d_reporting(xn, &tsne, None, &mut stages(t)).expect("t-SNE");
            let secs = t.elapsed().as_secs_f64();
            println!("deepscope t-SNE N={n} D=64: {secs:.2} s, KL {:.4}", map.kl);
            write_npy(out.join(format!("deepscope_tsne_N{n}.npy")), &map.points).expect("write");
        }
        if only.as_deref() != Some("tsne") {
            let t = Instant::now();
            let map = umap_2d_reporting(xn, &umap, None, &mut stages(t)).expect("UMAP");
            let secs = t.elapsed().as_secs_f64();
            println!("deepscope UMAP N={n} D=64: {secs:.2} s");
            write_npy(out.join(format!("deepscope_umap_N{n}.npy")), &map.points).expect("write");
        }
    }
}

/// Prints when each stage starts, to see where the time goes.
fn stages(start: Instant) -> impl FnMut(Stage) {
    move |s| println!("  {:>7.2} s  {s:?}", start.elapsed().as_secs_f64())
}
