//! A step's layers from .npy files, .npz archives and .safetensors files, as N x dim float32
//! matrices. float32 little-endian data is viewed where it lies in the bytes read from the
//! file (no second copy: import's peak memory stays near the largest array); every other
//! dtype and layout is converted once.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use ndarray::{Array2, ArrayView2, ShapeBuilder};

use super::npy::{self, DType, Elem, RawArray};
use super::{at, read_file};

/// One layer's values, N x dim.
#[derive(Debug)]
pub struct Matrix(Repr);

#[derive(Debug)]
enum Repr {
    Owned(Array2<f32>),
    /// float32 data viewed in the file's bytes (alignment checked when made).
    InPlace {
        raw: RawArray,
        rows: usize,
        cols: usize,
    },
}

impl Matrix {
    /// The N x (everything else) matrix of an array: conv maps become one row per image.
    pub fn from_raw(raw: RawArray) -> Result<Matrix, String> {
        let (&rows, rest) = raw
            .shape
            .split_first()
            .ok_or("a scalar, not an array of one row per image")?;
        let cols: usize = rest.iter().product();
        let plain_f32 = raw.dtype
            == DType {
                elem: Elem::F32,
                big_endian: false,
            };
        // A 2-D Fortran array is a transposed view; deeper ones need reordering.
        let viewable = !raw.fortran || raw.shape.len() <= 2;
        if plain_f32 && viewable && bytemuck::try_cast_slice::<u8, f32>(raw.data()).is_ok() {
            return Ok(Matrix(Repr::InPlace { raw, rows, cols }));
        }
        let values = npy::c_order(&raw.shape, raw.fortran, npy::to_f32(&raw));
        let fortran_2d = raw.fortran && raw.shape.len() == 2;
        let shape = (rows, cols).set_f(fortran_2d);
        Array2::from_shape_vec(shape, values)
            .map(|a| Matrix(Repr::Owned(a)))
            .map_err(|e| e.to_string())
    }

    pub fn view(&self) -> ArrayView2<'_, f32> {
        match &self.0 {
            Repr::Owned(a) => a.view(),
            Repr::InPlace { raw, rows, cols } => {
                let data: &[f32] = bytemuck::cast_slice(raw.data());
                let shape = (*rows, *cols).set_f(raw.fortran);
                match ArrayView2::from_shape(shape, data) {
                    Ok(v) => v,
                    Err(e) => unreachable!("length checked by RawArray::new: {e}"),
                }
            }
        }
    }

    pub fn nrows(&self) -> usize {
        self.view().nrows()
    }

    pub fn ncols(&self) -> usize {
        self.view().ncols()
    }
}

/// Reads one .npy file as a matrix.
pub fn read_npy(path: &Path) -> Result<Matrix, String> {
    let raw = read_npy_raw(path)?;
    Matrix::from_raw(raw).map_err(|e| at(path, e))
}

/// Reads one .npy file, its size checked against its header.
pub fn read_npy_raw(path: &Path) -> Result<RawArray, String> {
    let bytes = std::fs::read(path).map_err(|e| at(path, e))?;
    npy::parse_npy(Arc::new(bytes)).map_err(|e| at(path, e))
}

/// Every array of an .npz archive, by name (without the .npy suffix), in archive order.
pub fn read_npz(path: &Path) -> Result<Vec<(String, Matrix)>, String> {
    let file = std::fs::File::open(path).map_err(|e| at(path, e))?;
    parse_npz(file).map_err(|e| at(path, e))
}

/// deflate cannot expand data by more than about 1,032 times.
const DEFLATE_MAX_RATIO: u64 = 1100;

/// The arrays of an .npz archive read from `file`; each member is decompressed only as far
/// as its .npy header, checked against the member's stored size, says.
pub fn parse_npz<R: Read + std::io::Seek>(file: R) -> Result<Vec<(String, Matrix)>, String> {
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| format!("not a readable .npz archive ({e})"))?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let member = zip
            .by_index(i)
            .map_err(|e| format!("not a readable .npz archive ({e})"))?;
        let name = member.name().to_string();
        let bound = match member.compression() {
            zip::CompressionMethod::Stored => member.compressed_size(),
            _ => member.compressed_size().saturating_mul(DEFLATE_MAX_RATIO) + 4096,
        };
        let claimed = member.size();
        if claimed > bound {
            return Err(format!(
                "member {name} claims {claimed} bytes, more than its {} compressed bytes can hold",
                member.compressed_size()
            ));
        }
        let bytes =
            npy::read_npy_stream(member, claimed).map_err(|e| format!("member {name}: {e}"))?;
        if bytes.len() as u64 != claimed {
            return Err(format!(
                "member {name}: {} bytes where the archive says {claimed}",
                bytes.len()
            ));
        }
        let raw = npy::parse_npy(Arc::new(bytes)).map_err(|e| format!("member {name}: {e}"))?;
        let layer = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        out.push((
            layer,
            Matrix::from_raw(raw).map_err(|e| format!("member {name}: {e}"))?,
        ));
    }
    if out.is_empty() {
        return Err("an .npz archive without arrays".into());
    }
    Ok(out)
}

/// Every tensor of a .safetensors file, by name (sorted).
pub fn read_safetensors(path: &Path) -> Result<Vec<(String, Matrix)>, String> {
    let bytes = read_file(path)?;
    parse_safetensors(Arc::new(bytes)).map_err(|e| at(path, e))
}

/// The tensors of a .safetensors file held in memory. The crate checks every offset
/// against the buffer; the tensors are viewed in it.
pub fn parse_safetensors(bytes: Arc<Vec<u8>>) -> Result<Vec<(String, Matrix)>, String> {
    let tensors = safetensors::SafeTensors::deserialize(&bytes)
        .map_err(|e| format!("not a readable .safetensors file ({e})"))?;
    let base = bytes.as_ptr() as usize;
    let mut found = Vec::new();
    for (name, view) in tensors.tensors() {
        use safetensors::Dtype as D;
        let elem = match view.dtype() {
            D::F16 => Elem::F16,
            D::BF16 => Elem::BF16,
            D::F32 => Elem::F32,
            D::F64 => Elem::F64,
            D::I8 => Elem::I8,
            D::I16 => Elem::I16,
            D::I32 => Elem::I32,
            D::I64 => Elem::I64,
            D::U8 => Elem::U8,
            D::U16 => Elem::U16,
            D::U32 => Elem::U32,
            D::U64 => Elem::U64,
            other => return Err(format!("tensor {name}: dtype {other:?} is not read")),
        };
        let offset = view.data().as_ptr() as usize - base;
        let end = offset + view.data().len();
        let dtype = DType {
            elem,
            big_endian: false,
        };
        found.push((name, dtype, view.shape().to_vec(), offset, end));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    if found.is_empty() {
        return Err("a .safetensors file without tensors".into());
    }
    found
        .into_iter()
        .map(|(name, dtype, shape, offset, end)| {
            let raw = RawArray::new(dtype, shape, false, bytes.clone(), offset, end)
                .and_then(Matrix::from_raw)
                .map_err(|e| format!("tensor {name}: {e}"))?;
            Ok((name, raw))
        })
        .collect()
}
