//! The bundled sample run.

use std::path::PathBuf;

/// The bundled sample run (MNIST digits, 16 steps).
pub fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist.sqlite")
}
