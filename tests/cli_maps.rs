//! `deepscope project --method tsne|umap` on the sample run: the digits separate in the
//! t-SNE map, maps are cached outside the database (and damaged cache files ignored), and a
//! map started from its neighbour step stays aligned with it.

mod common {
    pub mod runs;
}

use std::path::Path;

use assert_cmd::Command;
use common::runs::sample;
use serde_json::Value;

fn project(cache: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .arg("project")
        .arg(sample())
        .args(["--layer", "fc64", "--json"])
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "no progress output when stderr is not a terminal"
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn points(v: &Value) -> Vec<[f64; 2]> {
    v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect()
}

fn labels() -> Vec<u32> {
    deepscope::store::Store::open(sample())
        .unwrap()
        .catalog()
        .labels
        .clone()
}

/// Fraction of images whose 10 nearest neighbours in the map mostly share their label.
fn knn10_accuracy(p: &[[f64; 2]], labels: &[u32]) -> f64 {
    let correct = (0..p.len())
        .filter(|&i| {
            let mut d: Vec<(f64, usize)> = (0..p.len())
                .filter(|&j| j != i)
                .map(|j| ((p[i][0] - p[j][0]).powi(2) + (p[i][1] - p[j][1]).powi(2), j))
                .collect();
            d.select_nth_unstable_by(10, |a, b| a.0.total_cmp(&b.0));
            let mut votes = [0usize; 10];
            d[..10]
                .iter()
                .for_each(|&(_, j)| votes[labels[j] as usize] += 1);
            let best = (0..10).max_by_key(|&c| (votes[c], std::cmp::Reverse(c)));
            best == Some(labels[i] as usize)
        })
        .count();
    correct as f64 / p.len() as f64
}

/// Mean move of a point between two maps, each centred and scaled to unit RMS spread.
fn displacement(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
    let norm = |m: &[[f64; 2]]| {
        let n = m.len() as f64;
        let c = [
            m.iter().map(|p| p[0]).sum::<f64>() / n,
            m.iter().map(|p| p[1]).sum::<f64>() / n,
        ];
        let rms = (m
            .iter()
            .map(|p| (p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        m.iter()
            .map(|p| [(p[0] - c[0]) / rms, (p[1] - c[1]) / rms])
            .collect::<Vec<_>>()
    };
    let (a, b) = (norm(a), norm(b));
    a.iter()
        .zip(&b)
        .map(|(p, q)| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt())
        .sum::<f64>()
        / a.len() as f64
}

#[test]
fn tsne_separates_the_digits_and_is_cached_outside_the_database() {
    let cache = tempfile::tempdir().unwrap();
    let first = project(cache.path(), &["--method", "tsne"]);
    assert_eq!(first["method"], "tsne");
    assert_eq!(first["step"], 6000);
    assert_eq!(first["cached"], false);
    assert_eq!(first["perplexity"], 30.0);
    let kl = first["kl"].as_f64().unwrap();
    assert!(kl > 0.0 && kl < 3.0, "kl {kl}");
    let p = points(&first);
    assert_eq!(p.len(), 2000);
    let acc = knn10_accuracy(&p, &labels());
    assert!(acc >= 0.9, "10-NN accuracy of the digits in the map: {acc}");

    let again = project(cache.path(), &["--method", "tsne"]);
    assert_eq!(again["cached"], true);
    assert_eq!(again["points"], first["points"]);
    assert_eq!(again["kl"], first["kl"]);
    let dir = cache.path().join("deepscope/maps");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "one file per map, in the cache"
    );
}

#[test]
fn damaged_cache_files_are_ignored_and_recomputed() {
    // UMAP: a quicker map than t-SNE, the cache is the same for both.
    let cache = tempfile::tempdir().unwrap();
    let first = project(cache.path(), &["--method", "umap"]);
    assert_eq!(first["cached"], false);
    assert!(first.get("kl").is_none());
    let dir = cache.path().join("deepscope/maps");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&files[0], bytes).unwrap();
    // Ignored and recomputed (same seed, same map), then served from the cache again.
    let recomputed = project(cache.path(), &["--method", "umap"]);
    assert_eq!(recomputed["cached"], false);
    assert_eq!(recomputed["points"], first["points"]);
    assert_eq!(project(cache.path(), &["--method", "umap"])["cached"], true);
    assert_eq!(
        project(cache.path(), &["--method", "umap", "--fresh"])["cached"],
        false
    );
}

#[test]
fn a_map_started_from_its_neighbour_step_stays_aligned() {
    let cache = tempfile::tempdir().unwrap();
    for method in ["tsne", "umap"] {
        let before = project(cache.path(), &["--method", method, "--step", "5000"]);
        let next = project(
            cache.path(),
            &["--method", method, "--step", "6000", "--init-from", "5000"],
        );
        assert_eq!(next["init_from"], 5000);
        let fresh = project(
            cache.path(),
            &["--method", method, "--step", "6000", "--seed", "3"],
        );
        let moved = displacement(&points(&next), &points(&before));
        let fresh_moved = displacement(&points(&fresh), &points(&before));
        assert!(
            moved < 0.2,
            "{method}: points moved {moved} of the map's spread"
        );
        assert!(
            moved < fresh_moved,
            "{method}: {moved} vs a fresh map's {fresh_moved}"
        );
    }
}

#[test]
fn bad_settings_are_one_line_errors() {
    let cache = tempfile::tempdir().unwrap();
    Command::cargo_bin("deepscope")
        .unwrap()
        .arg("project")
        .arg(sample())
        .args(["--method", "tsne", "--perplexity", "0"])
        .env("XDG_CACHE_HOME", cache.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("perplexity must be at least 1"));
    Command::cargo_bin("deepscope")
        .unwrap()
        .arg("project")
        .arg(sample())
        .args(["--method", "umap", "--init-from", "7"])
        .env("XDG_CACHE_HOME", cache.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no step 7"));
}
