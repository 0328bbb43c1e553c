//! import's peak memory (issue 17, goal 5): at most 1.5 times the largest array imported,
//! above what the same import of a one-column layer takes. Measured as the child process's
//! peak resident set (python's resource module reports it for children; CI installs
//! python3), on an 80 MB float32 layer.

mod common {
    pub mod import;
}

use std::path::Path;

use common::import::npy_bytes;

const IMAGES: usize = 20_000;
const CLASSES: usize = 1_000;

/// A step directory with one `logits.npy` of IMAGES x `cols` float32, and the labels.
fn steps(dir: &Path, cols: usize) -> std::path::PathBuf {
    let root = dir.join(format!("steps_{cols}"));
    let step = root.join("step_000001");
    std::fs::create_dir_all(&step).unwrap();
    let mut data = Vec::with_capacity(IMAGES * cols * 4);
    for i in 0..IMAGES * cols {
        data.extend_from_slice(&((i % 977) as f32 * 0.01).to_le_bytes());
    }
    let shape = format!("({IMAGES}, {cols})");
    std::fs::write(
        step.join("logits.npy"),
        npy_bytes("<f4", false, &shape, &data),
    )
    .unwrap();
    let labels: Vec<u8> = (0..IMAGES)
        .flat_map(|i| ((i % CLASSES) as i64).to_le_bytes())
        .collect();
    let label_shape = format!("({IMAGES},)");
    std::fs::write(
        root.join("labels.npy"),
        npy_bytes("<i8", false, &label_shape, &labels),
    )
    .unwrap();
    root
}

/// Peak resident set, in bytes, of `deepscope import OUT --steps STEPS [--kind ...]`.
fn import_peak(out: &Path, steps: &Path, kind: &str) -> usize {
    let bin = assert_cmd::cargo::cargo_bin("deepscope");
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], capture_output=True)\n\
                  assert r.returncode == 0, r.stderr.decode()\n\
                  print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(bin)
        .arg("import")
        .arg(out)
        .arg("--steps")
        .arg(steps)
        .args(["--kind", kind])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let kib: usize = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap();
    kib * 1024
}

#[test]
fn import_peak_memory_stays_within_one_and_a_half_times_the_array() {
    let dir = tempfile::tempdir().unwrap();
    let big = steps(dir.path(), CLASSES);
    let small = steps(dir.path(), 1);
    let array = IMAGES * CLASSES * 4;
    let base = import_peak(&dir.path().join("small.sqlite"), &small, "logits=features");
    let peak = import_peak(&dir.path().join("big.sqlite"), &big, "logits=logits");
    let above = peak.saturating_sub(base);
    assert!(
        above as f64 <= 1.5 * array as f64,
        "import of a {} MB array peaked {} MB above the baseline ({} MB)",
        array >> 20,
        above >> 20,
        base >> 20
    );
}
