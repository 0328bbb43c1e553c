//! Reading activations, labels and pictures from the files training scripts leave behind:
//! NumPy .npy/.npz, IDX (MNIST family), CIFAR binary batches, folders of images.

use std::fs::File;
use std::path::Path;

use ndarray::{Array2, ArrayD, Ix2};
use ndarray_npy::{NpzReader, ReadNpyExt};

use crate::model::Thumbnail;

/// An error naming the file it is about.
pub fn at(path: &Path, message: impl std::fmt::Display) -> String {
    format!("{}: {message}", path.display())
}

/// A numeric array of any of the dtypes training scripts save, as f32, flattened to
/// N x (everything else): conv maps become one row per image.
fn to_matrix(a: ArrayD<f32>) -> Result<Array2<f32>, String> {
    let n = a
        .shape()
        .first()
        .copied()
        .ok_or("a scalar, not an array of one row per image")?;
    let rest: usize = a.shape()[1..].iter().product();
    let rest = if a.ndim() == 1 { 1 } else { rest };
    a.into_shape_with_order((n, rest))
        .map_err(|e| e.to_string())?
        .into_dimensionality::<Ix2>()
        .map_err(|e| e.to_string())
}

/// Reads a float or integer .npy (or an .npz member) as an N x dim f32 matrix.
pub fn read_matrix<R: std::io::Read>(
    mut open: impl FnMut() -> Result<R, String>,
) -> Result<Array2<f32>, String> {
    macro_rules! try_type {
        ($t:ty) => {
            if let Ok(a) = ArrayD::<$t>::read_npy(open()?) {
                return to_matrix(a.mapv(|v| v as f32));
            }
        };
    }
    match ArrayD::<f32>::read_npy(open()?) {
        Ok(a) => return to_matrix(a),
        Err(ndarray_npy::ReadNpyError::WrongDescriptor(_)) => {}
        Err(e) => return Err(describe(e)),
    }
    try_type!(f64);
    try_type!(i64);
    try_type!(i32);
    try_type!(u8);
    Err("dtype is not a float or integer type (float32/64, int32/64, uint8)".into())
}

fn describe(e: ndarray_npy::ReadNpyError) -> String {
    match e {
        ndarray_npy::ReadNpyError::MissingData => {
            "truncated .npy file (fewer values than its header says)".into()
        }
        ndarray_npy::ReadNpyError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "truncated .npy file".into()
        }
        other => format!("not a readable .npy array ({other})"),
    }
}

pub fn read_npy_matrix(path: &Path) -> Result<Array2<f32>, String> {
    read_matrix(|| File::open(path).map_err(|e| at(path, e))).map_err(|e| {
        if e.starts_with(&path.display().to_string()) {
            e
        } else {
            at(path, e)
        }
    })
}

/// Every array of an .npz archive, by name (without the .npy suffix).
pub fn read_npz(path: &Path) -> Result<Vec<(String, Array2<f32>)>, String> {
    let file = File::open(path).map_err(|e| at(path, e))?;
    let mut npz =
        NpzReader::new(file).map_err(|e| at(path, format!("not a readable .npz archive ({e})")))?;
    let names = npz.names().map_err(|e| at(path, e))?;
    let mut out = Vec::new();
    for name in names {
        let array: ArrayD<f32> = match npz.by_name::<ndarray::OwnedRepr<f32>, ndarray::IxDyn>(&name)
        {
            Ok(a) => a,
            Err(_) => match npz.by_name::<ndarray::OwnedRepr<f64>, ndarray::IxDyn>(&name) {
                Ok(a) => a.mapv(|v| v as f32),
                Err(e) => return Err(at(path, format!("member {name}: {e}"))),
            },
        };
        let layer = name.trim_end_matches(".npy").to_string();
        out.push((layer, to_matrix(array).map_err(|e| at(path, e))?));
    }
    Ok(out)
}

/// Labels from .npy integers or an IDX label file (gzipped or not).
pub fn read_labels(path: &Path) -> Result<Vec<u32>, String> {
    let is_npy = path.extension().is_some_and(|e| e == "npy");
    let values: Vec<i64> = if is_npy {
        let m = read_npy_matrix(path)?;
        if m.ncols() != 1 {
            return Err(at(
                path,
                format!("labels must be 1-D, got {} columns", m.ncols()),
            ));
        }
        let ints: Vec<i64> = m.iter().map(|&v| v as i64).collect();
        if m.iter().zip(&ints).any(|(&v, &i)| v != i as f32) {
            return Err(at(path, "labels must be integers"));
        }
        ints
    } else {
        let idx = crate::idx::read_idx_u8(path)?;
        if idx.dims.len() != 1 {
            return Err(at(
                path,
                format!(
                    "an IDX label file has one dimension, this one has {}",
                    idx.dims.len()
                ),
            ));
        }
        idx.data.iter().map(|&v| i64::from(v)).collect()
    };
    if let Some(bad) = values.iter().find(|&&v| v < 0) {
        return Err(at(path, format!("negative label {bad}")));
    }
    Ok(values.into_iter().map(|v| v as u32).collect())
}

/// Pictures for the thumbnails, and labels when the source has them (CIFAR, folders).
pub struct Pictures {
    pub thumbnails: Vec<Thumbnail>,
    pub labels: Option<Vec<u32>>,
    pub class_names: Option<Vec<String>>,
}

/// Reads pictures from .npy (N x H x W [x 3] uint8), IDX images, a CIFAR-10/100 binary
/// batch, or a folder laid out as root/<class name>/<file> (resized to `size` x `size`).
pub fn read_pictures(path: &Path, size: u32) -> Result<Pictures, String> {
    if path.is_dir() {
        return super::folder::read_folder(path, size);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".npy") {
        let a =
            ArrayD::<u8>::read_npy(File::open(path).map_err(|e| at(path, e))?).map_err(|e| {
                at(
                    path,
                    format!("thumbnails must be a uint8 array ({})", describe(e)),
                )
            })?;
        return match a.shape() {
            &[n, h, w] => Ok(from_planes(a.as_slice().unwrap_or(&[]), n, h, w, 1)),
            &[n, h, w, 3] => Ok(from_planes(a.as_slice().unwrap_or(&[]), n, h, w, 3)),
            s => Err(at(
                path,
                format!("thumbnails must be N x H x W or N x H x W x 3, got {s:?}"),
            )),
        };
    }
    if name.ends_with(".bin") {
        return read_cifar(path);
    }
    let idx = crate::idx::read_idx_u8(path)?;
    match idx.dims[..] {
        [n, h, w] => Ok(from_planes(&idx.data, n, h, w, 1)),
        _ => Err(at(
            path,
            format!("an IDX image file is N x H x W, this one is {:?}", idx.dims),
        )),
    }
}

fn from_planes(data: &[u8], n: usize, h: usize, w: usize, channels: usize) -> Pictures {
    let per = h * w * channels;
    let thumbnails = (0..n)
        .map(|i| Thumbnail {
            width: w,
            height: h,
            channels,
            pixels: data[i * per..(i + 1) * per].to_vec(),
        })
        .collect();
    Pictures {
        thumbnails,
        labels: None,
        class_names: None,
    }
}

/// CIFAR-10 records are 1 label byte + 3,072 pixel bytes (32x32, R, G and B planes);
/// CIFAR-100 records have 2 label bytes (coarse, fine): the fine label is used.
fn read_cifar(path: &Path) -> Result<Pictures, String> {
    let bytes = std::fs::read(path).map_err(|e| at(path, e))?;
    let record = match bytes.len() {
        0 => return Err(at(path, "empty file")),
        n if n % 3073 == 0 => 3073,
        n if n % 3074 == 0 => 3074,
        n => {
            return Err(at(
                path,
                format!("{n} bytes is not a whole number of CIFAR records (3,073 or 3,074 bytes)"),
            ));
        }
    };
    let skip = record - 3072;
    let (mut thumbnails, mut labels) = (Vec::new(), Vec::new());
    for r in bytes.chunks_exact(record) {
        labels.push(u32::from(r[skip - 1]));
        let planes = &r[skip..];
        let pixels = (0..1024)
            .flat_map(|p| [planes[p], planes[1024 + p], planes[2048 + p]])
            .collect();
        thumbnails.push(Thumbnail {
            width: 32,
            height: 32,
            channels: 3,
            pixels,
        });
    }
    Ok(Pictures {
        thumbnails,
        labels: Some(labels),
        class_names: None,
    })
}
