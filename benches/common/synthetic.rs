//! A synthetic run for the benches that time whole runs: the one a variable names, or one
//! written to a temporary folder (removed when the returned guard is dropped).

use std::path::PathBuf;

use deepscope::store::Writer;
use deepscope::synth::{SynthParams, write};

/// The run `variable` names when it is set, otherwise `params` written to a temporary
/// folder as `file`.
pub fn synthetic_run(
    variable: &str,
    file: &str,
    params: &SynthParams,
) -> (PathBuf, Option<tempfile::TempDir>) {
    if let Some(path) = std::env::var_os(variable) {
        return (PathBuf::from(path), None);
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join(file);
    let mut w = Writer::create(&path).expect("create");
    write(params, &mut w, |_| {}).expect("synth");
    w.finish().expect("finish");
    (path, Some(dir))
}
