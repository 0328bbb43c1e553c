//! Pictures for the thumbnails: .npy arrays (uint8, other integers in 0-255, or floats
//! mapped to 0-255 by the logger's rule), IDX image files, CIFAR-10/100 binary batches and
//! folders of image files (folder.rs).

use std::path::Path;
use std::sync::Arc;

use super::npy::{self, RawArray};
use super::{at, formats, read_file};
use crate::model::Thumbnail;

/// Larger pictures are damage, not thumbnails (the viewer draws a few dozen pixels wide).
pub const MAX_SIDE: usize = 4096;
/// A brightest pixel below this draws as black: the values are probably on another scale.
const DARK: u8 = 40;

/// Pictures for the thumbnails, and what the source says besides (CIFAR, folders).
#[derive(Debug, Default)]
pub struct Pictures {
    pub thumbnails: Vec<Thumbnail>,
    pub labels: Option<Vec<u32>>,
    pub class_names: Option<Vec<String>>,
    pub image_names: Option<Vec<String>>,
    /// Lines the user should see (skipped files, dark pictures).
    pub notes: Vec<String>,
}

/// Reads pictures from a file: .npy, IDX or a CIFAR .bin batch (a folder root/CLASS/FILE is
/// read by the folder reader).
pub fn read_pictures(path: &Path) -> Result<Pictures, String> {
    formats::refuse_unsupported(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let bytes = read_file(path)?;
    let pictures = if name.ends_with(".npy") {
        npy::parse_npy(Arc::new(bytes)).and_then(|raw| from_array(&raw))
    } else if name.ends_with(".bin") {
        parse_cifar(&bytes)
    } else {
        crate::idx::parse_idx_bytes(&bytes).and_then(|idx| match idx.dims[..] {
            [n, h, w] => from_pixels(&idx.data, n, h, w, 1, false),
            _ => Err(format!(
                "an IDX image file is N x H x W, this one is {:?}",
                idx.dims
            )),
        })
    };
    pictures.map_err(|e| at(path, e))
}

/// Pictures from an array: N x H x W, N x H x W x C or N x C x H x W with C = 1 or 3.
pub fn from_array(raw: &RawArray) -> Result<Pictures, String> {
    let (n, h, w, c, planar) = match raw.shape[..] {
        [n, h, w] => (n, h, w, 1, false),
        [n, h, w, c @ (1 | 3)] => (n, h, w, c, false),
        [n, c @ (1 | 3), h, w] => (n, h, w, c, true),
        ref s => {
            return Err(format!(
                "pictures must be N x H x W, N x H x W x 3 or N x 3 x H x W, got {s:?}"
            ));
        }
    };
    let (values, note) = if raw.dtype.elem == npy::Elem::U8 {
        (raw.data().to_vec(), None)
    } else if raw.dtype.elem.is_float() {
        float_pixels(&npy::to_f32(raw))?
    } else {
        let ints = npy::to_integers(raw)?;
        if let Some(bad) = ints.iter().find(|v| !(0..=255).contains(*v)) {
            return Err(format!(
                "integer pictures must be 0-255, found {bad} (save uint8, or floats)"
            ));
        }
        (ints.into_iter().map(|v| v as u8).collect(), None)
    };
    let values = npy::c_order(&raw.shape, raw.fortran, values);
    let mut p = from_pixels(&values, n, h, w, c, planar)?;
    p.notes.extend(note);
    Ok(p)
}

/// The logger's rule: values in [0, 1] are scaled by 255; any other range is stretched from
/// the dataset's minimum (0) to its maximum (255).
fn float_pixels(values: &[f32]) -> Result<(Vec<u8>, Option<String>), String> {
    if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
        return Err(format!("pictures hold {bad} (NaN or infinite)"));
    }
    let (lo, hi) = values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (offset, scale, rule) = if lo >= 0.0 && hi <= 1.0 {
        (0.0, 255.0, "values in [0, 1], scaled by 255".to_string())
    } else {
        let span = if hi > lo { hi - lo } else { 1.0 };
        (
            lo,
            255.0 / span,
            format!("values from {lo} to {hi}, stretched to 0-255"),
        )
    };
    let pixels = values
        .iter()
        .map(|&v| ((v - offset) * scale).round().clamp(0.0, 255.0) as u8)
        .collect();
    Ok((pixels, Some(format!("float pictures: {rule}"))))
}

/// Thumbnails from pixel data in C order, interleaved (N, H, W, C) or planar (N, C, H, W).
pub fn from_pixels(
    data: &[u8],
    n: usize,
    h: usize,
    w: usize,
    c: usize,
    planar: bool,
) -> Result<Pictures, String> {
    if h == 0 || w == 0 || h > MAX_SIDE || w > MAX_SIDE {
        return Err(format!(
            "pictures of {w}x{h} pixels (each side must be 1 to {MAX_SIDE})"
        ));
    }
    let per = h * w * c;
    if data.len() != n * per {
        return Err(format!(
            "{} bytes of pixels for {n} pictures of {per}",
            data.len()
        ));
    }
    let thumbnails: Vec<Thumbnail> = data
        .chunks_exact(per)
        .map(|one| Thumbnail {
            width: w,
            height: h,
            channels: c,
            pixels: if planar && c > 1 {
                (0..h * w)
                    .flat_map(|p| (0..c).map(move |ch| one[ch * h * w + p]))
                    .collect()
            } else {
                one.to_vec()
            },
        })
        .collect();
    let brightest = data.iter().copied().max().unwrap_or(0);
    let mut p = Pictures {
        thumbnails,
        ..Pictures::default()
    };
    if n > 0 && brightest < DARK {
        p.notes.push(format!(
            "warning: the brightest pixel is {brightest} of 255, so the thumbnails will look \
             black (are the values on another scale?)"
        ));
    }
    Ok(p)
}

/// CIFAR-10 records are 1 label byte + 3,072 pixel bytes (32x32, R, G and B planes);
/// CIFAR-100 records have 2 label bytes (coarse, fine): the fine label is used.
pub fn parse_cifar(bytes: &[u8]) -> Result<Pictures, String> {
    let record = match bytes.len() {
        0 => return Err("empty file".into()),
        n if n % 3073 == 0 => 3073,
        n if n % 3074 == 0 => 3074,
        n => {
            return Err(format!(
                "{n} bytes is not a whole number of CIFAR records (3,073 or 3,074 bytes)"
            ));
        }
    };
    let skip = record - 3072;
    let records = bytes.chunks_exact(record);
    let labels = records.clone().map(|r| u32::from(r[skip - 1])).collect();
    let pixels: Vec<u8> = records.flat_map(|r| r[skip..].iter().copied()).collect();
    let mut p = from_pixels(&pixels, bytes.len() / record, 32, 32, 3, true)?;
    p.labels = Some(labels);
    Ok(p)
}
