//! Synthetic runs written on the spot.

use std::path::{Path, PathBuf};

use deepscope::store::Writer;

/// A synthetic run in `dir` whose features grow into class clusters over `steps` steps.
pub fn evolving_run(dir: &Path, steps: usize) -> PathBuf {
    let path = dir.join("evolving.sqlite");
    let params = deepscope::synth::SynthParams {
        images: 400,
        classes: 8,
        dim: 16,
        steps,
        superclasses: 2,
        seed: 3,
    };
    let mut w = Writer::create(&path).unwrap();
    deepscope::synth::write(&params, &mut w, |_| {}).unwrap();
    w.finish().unwrap();
    path
}
