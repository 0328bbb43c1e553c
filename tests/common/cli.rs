//! The command line on the bundled sample: the real binary run with `--json`.

use assert_cmd::Command;
use serde_json::Value;

/// Runs `deepscope ARGS SAMPLE --json`, which must succeed, and parses what it prints.
pub fn sample_json(args: &[&str]) -> Value {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(args)
        .arg(super::runs::sample())
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
