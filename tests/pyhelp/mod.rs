//! Runs Python snippets against the logger package in python/ (the source of the package the
//! wheel ships, not a copy). Needs python3 with numpy: CI installs it, elsewhere tests skip.

use std::path::Path;
use std::process::{Command, Output};

/// The folder holding the `deepscope` package and the `deepscope_log` shim.
pub const PYTHON_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/python");

/// Runs `script` in `dir` after a prelude that imports numpy as np and `Run`.
pub fn python(script: &str, dir: &Path) -> Output {
    let prelude = format!(
        "import sys; sys.path.insert(0, {PYTHON_DIR:?})\nimport numpy as np\nfrom deepscope import Run\n"
    );
    Command::new("python3")
        .arg("-c")
        .arg(prelude + script)
        .current_dir(dir)
        .output()
        .expect("python3 runs")
}

/// Like `python`, but the script must succeed; returns its stdout.
pub fn python_ok(script: &str, dir: &Path) -> String {
    let out = python(script, dir);
    assert!(
        out.status.success(),
        "script failed:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether python3 with numpy is here; in CI it must be.
pub fn available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("CI must provide python3 with numpy (see .ci/run)");
    }
    if !ok {
        eprintln!("skipped: python3 with numpy is not installed");
    }
    ok
}
