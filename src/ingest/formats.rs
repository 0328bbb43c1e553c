//! Formats that import does not read, named as such with the one line that converts them.

use std::path::Path;

use super::at;

/// What a file extension says about a format import does not read, with a conversion.
pub fn unsupported(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_string_lossy().to_lowercase();
    Some(match ext.as_str() {
        "pt" | "pth" | "ckpt" => {
            "is a PyTorch file, which is not read: torch.load unpickles, and a pickle can run \
             any code. Save tensors instead: safetensors.torch.save_file({'fc': t.contiguous()}, \
             'step_000040.safetensors') or numpy.save('fc.npy', t.numpy())"
        }
        "pkl" | "pickle" => {
            "is a pickle, which is not read: loading one can run any code. Save arrays with \
             numpy.save('fc.npy', a)"
        }
        "h5" | "hdf5" | "keras" => {
            "is HDF5, which is not read; convert: numpy.save('fc.npy', h5py.File(path)['fc'][()])"
        }
        "parquet" => {
            "is Parquet, which is not read; convert: numpy.save('fc.npy', \
             pandas.read_parquet(path).to_numpy())"
        }
        "csv" | "tsv" => {
            "is CSV, which is not read; convert: numpy.save('fc.npy', numpy.loadtxt(path, \
             delimiter=','))"
        }
        _ => return None,
    })
}

/// An error for a file in a format import does not read.
pub fn refuse_unsupported(path: &Path) -> Result<(), String> {
    match unsupported(path) {
        Some(hint) => Err(at(path, hint)),
        None => Ok(()),
    }
}
