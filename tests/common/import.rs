//! Helpers shared by the import tests: small step directories, hand-made .npy bytes, and
//! the check that a failed import printed one line naming the file and left nothing behind.

#![allow(dead_code)] // each import test binary uses its own subset

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ndarray::{Array1, Array2};
use ndarray_npy::write_npy;

pub const N: usize = 12;

pub fn features(step: usize) -> Array2<f32> {
    Array2::from_shape_fn((N, 5), |(i, j)| (i * 5 + j + step) as f32 * 0.5)
}

/// Logits in float64, as many frameworks save them (the import reads them as float32).
pub fn logits(step: usize) -> Array2<f64> {
    Array2::from_shape_fn((N, 3), |(i, j)| if i % 3 == j { step as f64 } else { 0.0 })
}

/// DIR/dumps/step_<s>/{fc,logits}.npy for each step, labels.npy and classes.txt.
pub fn npy_steps(dir: &Path, steps: &[usize]) -> PathBuf {
    let root = dir.join("dumps");
    std::fs::create_dir_all(&root).unwrap();
    for &s in steps {
        let d = root.join(format!("step_{s:06}"));
        std::fs::create_dir_all(&d).unwrap();
        write_npy(d.join("fc.npy"), &features(s)).unwrap();
        write_npy(d.join("logits.npy"), &logits(s)).unwrap();
    }
    write_npy(
        root.join("labels.npy"),
        &Array1::from_shape_fn(N, |i| (i % 3) as i64),
    )
    .unwrap();
    std::fs::write(root.join("classes.txt"), "cat\ndog\nhorse\n").unwrap();
    root
}

/// The bytes of a version-1 .npy file with this header dict and data.
pub fn npy_bytes(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    let pad = 64 - (10 + dict.len() + 1) % 64;
    let header = format!("{dict}{}\n", " ".repeat(pad % 64));
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(header.len() as u16).to_le_bytes());
    b.extend_from_slice(header.as_bytes());
    b.extend_from_slice(data);
    b
}

pub fn import(out: &Path, extra: &[&str], steps: &Path) -> assert_cmd::assert::Assert {
    let mut cmd = Command::cargo_bin("deepscope").unwrap();
    cmd.arg("import").arg(out).arg("--steps").arg(steps);
    cmd.args(extra);
    cmd.assert()
}

/// Files in `dir` that an import may have left behind.
pub fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-") || n.ends_with("-wal") || n.ends_with("-shm"))
        .collect()
}

/// Runs an import expected to fail: exit 2, one line holding `needle`, `out` unchanged
/// (absent if it was absent) and nothing left beside it. Returns the line.
pub fn refused(out: &Path, extra: &[&str], steps: &Path, needle: &str) -> String {
    let before = std::fs::read(out).ok();
    let assert = import(out, extra, steps).code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains(needle), "expected '{needle}' in {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        std::fs::read(out).ok() == before,
        "{needle}: the database changed"
    );
    let left = leftovers(out.parent().unwrap());
    assert!(left.is_empty(), "{needle}: left behind {left:?}");
    stderr
}

/// [`refused`], and the line names `file`.
pub fn fails(out: &Path, extra: &[&str], steps: &Path, file: &str, needle: &str) {
    let stderr = refused(out, extra, steps, needle);
    assert!(
        stderr.contains(file),
        "expected the file '{file}' named in {stderr}"
    );
}
