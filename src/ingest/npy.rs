//! NumPy .npy arrays read from untrusted bytes. The header is checked against the bytes that
//! are really there before anything is allocated for the data, and every dtype a training
//! script saves (float16/32/64, bfloat16 from safetensors, signed and unsigned integers, either
//! byte order, C or Fortran order) decodes. ndarray-npy's reader allocates what a header claims
//! before looking at the file's size and has no float16, hence this module.

use std::io::Read;
use std::sync::Arc;

const MAGIC: &[u8] = b"\x93NUMPY";
/// numpy writes headers of a few hundred bytes (and refuses to read more than 10,000 by
/// default): a longer one is damage, not data.
const MAX_HEADER: usize = 1 << 20;

/// An element type and its byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DType {
    pub elem: Elem,
    pub big_endian: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    F16,
    BF16,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

impl Elem {
    pub fn size(self) -> usize {
        match self {
            Elem::I8 | Elem::U8 => 1,
            Elem::F16 | Elem::BF16 | Elem::I16 | Elem::U16 => 2,
            Elem::F32 | Elem::I32 | Elem::U32 => 4,
            Elem::F64 | Elem::I64 | Elem::U64 => 8,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, Elem::F16 | Elem::BF16 | Elem::F32 | Elem::F64)
    }
}

impl DType {
    /// A numpy type descriptor such as `<f4`, `|u1` or `>i8`.
    fn from_numpy(descr: &str) -> Option<DType> {
        let (order, code) = match descr.as_bytes().first()? {
            b'<' | b'|' | b'=' => (false, &descr[1..]),
            b'>' => (true, &descr[1..]),
            _ => (false, descr),
        };
        let elem = match code {
            "f2" | "e" => Elem::F16,
            "f4" | "f" => Elem::F32,
            "f8" | "d" => Elem::F64,
            "i1" | "b" => Elem::I8,
            "i2" | "h" => Elem::I16,
            "i4" | "i" => Elem::I32,
            "i8" | "q" | "l" => Elem::I64,
            "u1" | "B" => Elem::U8,
            "u2" | "H" => Elem::U16,
            "u4" | "I" => Elem::U32,
            "u8" | "Q" | "L" => Elem::U64,
            _ => return None,
        };
        Some(DType {
            elem,
            big_endian: order && elem.size() > 1,
        })
    }
}

/// An array's description and its bytes: `bytes[offset..]` holds exactly the data the shape
/// and dtype describe (checked when it is made). The bytes are shared so that several arrays
/// of one file (a safetensors step) can be viewed in place.
#[derive(Clone, Debug)]
pub struct RawArray {
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub fortran: bool,
    pub bytes: Arc<Vec<u8>>,
    pub offset: usize,
}

impl RawArray {
    /// Checks that `bytes[offset..]` is exactly the data described.
    pub fn new(
        dtype: DType,
        shape: Vec<usize>,
        fortran: bool,
        bytes: Arc<Vec<u8>>,
        offset: usize,
        end: usize,
    ) -> Result<RawArray, String> {
        let need = data_len(dtype, &shape)?;
        let have = end.saturating_sub(offset);
        if have < need {
            return Err(format!(
                "truncated: shape {shape:?} needs {need} bytes of data, there are {have}"
            ));
        }
        if have > need {
            return Err(format!(
                "{} bytes after the data that shape {shape:?} describes",
                have - need
            ));
        }
        Ok(RawArray {
            dtype,
            shape,
            fortran,
            bytes,
            offset,
        })
    }

    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The data bytes, in file order.
    pub fn data(&self) -> &[u8] {
        &self.bytes[self.offset..self.offset + self.len() * self.dtype.elem.size()]
    }
}

/// Bytes of data for `shape`, or an error if that overflows.
fn data_len(dtype: DType, shape: &[usize]) -> Result<usize, String> {
    shape
        .iter()
        .try_fold(dtype.elem.size(), |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("shape {shape:?} is too large to exist"))
}

/// The header's length in bytes (prefix included), from at least the first 12 bytes.
pub fn header_extent(prefix: &[u8]) -> Result<usize, String> {
    if prefix.len() < 10 || !prefix.starts_with(MAGIC) {
        return Err("not a .npy array (no \\x93NUMPY magic)".into());
    }
    let (len, start) = match prefix[6] {
        1 => (usize::from(u16::from_le_bytes([prefix[8], prefix[9]])), 10),
        2 | 3 if prefix.len() >= 12 => {
            let n = u32::from_le_bytes([prefix[8], prefix[9], prefix[10], prefix[11]]);
            (usize::try_from(n).unwrap_or(usize::MAX), 12)
        }
        v => return Err(format!("not a .npy array (format version {v})")),
    };
    if len > MAX_HEADER {
        return Err(format!("damaged .npy header (claims {len} bytes)"));
    }
    Ok(start + len)
}

/// The header: dtype, shape, order, and where the data begins.
fn parse_header(bytes: &[u8]) -> Result<(DType, Vec<usize>, bool, usize), String> {
    let end = header_extent(bytes)?;
    if end > bytes.len() {
        return Err(format!(
            "truncated .npy file (its header needs {end} bytes, the file has {})",
            bytes.len()
        ));
    }
    let start = if bytes[6] == 1 { 10 } else { 12 };
    let text = std::str::from_utf8(&bytes[start..end])
        .map_err(|_| "damaged .npy header (not text)".to_string())?;
    let value: py_literal::Value = text
        .trim_end_matches(['\n', ' ', '\0'])
        .parse()
        .map_err(|_| "damaged .npy header (not a Python dict)".to_string())?;
    let py_literal::Value::Dict(entries) = value else {
        return Err("damaged .npy header (not a Python dict)".into());
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    for (key, value) in entries {
        let py_literal::Value::String(key) = key else {
            continue;
        };
        match (key.as_str(), value) {
            ("descr", py_literal::Value::String(s)) => descr = Some(s),
            ("descr", _) => {
                return Err("structured dtypes are not read (save a plain array)".into());
            }
            ("fortran_order", py_literal::Value::Boolean(b)) => fortran = Some(b),
            ("shape", py_literal::Value::Tuple(dims)) => shape = Some(dims_of(&dims)?),
            _ => {}
        }
    }
    let (Some(descr), Some(fortran), Some(shape)) = (descr, fortran, shape) else {
        return Err("damaged .npy header (needs descr, fortran_order and shape)".into());
    };
    let dtype = DType::from_numpy(&descr).ok_or_else(|| {
        format!("dtype '{descr}' is not a number type (float16/32/64 or an integer)")
    })?;
    Ok((dtype, shape, fortran, end))
}

fn dims_of(values: &[py_literal::Value]) -> Result<Vec<usize>, String> {
    values
        .iter()
        .map(|v| match v {
            py_literal::Value::Integer(i) => i.to_string().parse::<usize>().ok(),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| "damaged .npy header (a dimension is not a size)".into())
}

/// Parses a whole .npy file held in memory.
pub fn parse_npy(bytes: Arc<Vec<u8>>) -> Result<RawArray, String> {
    let (dtype, shape, fortran, offset) = parse_header(&bytes)?;
    let end = bytes.len();
    RawArray::new(dtype, shape, fortran, bytes, offset, end).map_err(|e| format!("{e} (.npy)"))
}

/// Reads a .npy array from a stream of at most `limit` bytes (an archive member whose size
/// is only claimed): the header is read and checked first, then exactly the data it
/// describes, so a lying header costs nothing.
pub fn read_npy_stream(mut r: impl Read, limit: u64) -> Result<Vec<u8>, String> {
    let io = |e: std::io::Error| format!("cannot read: {e}");
    let mut buf = Vec::new();
    r.by_ref().take(12).read_to_end(&mut buf).map_err(io)?;
    let header = header_extent(&buf)?;
    r.by_ref()
        .take((header as u64).saturating_sub(buf.len() as u64))
        .read_to_end(&mut buf)
        .map_err(io)?;
    let (dtype, shape, _, offset) = parse_header(&buf)?;
    let total = data_len(dtype, &shape)?
        .checked_add(offset)
        .ok_or("shape too large")?;
    if total as u64 > limit {
        return Err(format!(
            "header says {total} bytes (shape {shape:?}), the archive holds {limit}"
        ));
    }
    buf.reserve_exact(total - buf.len());
    r.take((total - buf.len()) as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(io)?;
    Ok(buf)
}

/// The little-endian bytes of a `W`-byte element.
fn le<const W: usize>(c: &[u8], big_endian: bool) -> [u8; W] {
    let mut a = [0u8; W];
    a.copy_from_slice(c);
    if big_endian {
        a.reverse();
    }
    a
}

/// Every value as f64, in file order (exact for every dtype but 64-bit integers above 2^53).
fn for_each_f64(raw: &RawArray, mut f: impl FnMut(f64)) {
    let be = raw.dtype.big_endian;
    let size = raw.dtype.elem.size();
    let chunks = raw.data().chunks_exact(size);
    match raw.dtype.elem {
        Elem::F16 => chunks.for_each(|c| f(half::f16::from_le_bytes(le(c, be)).to_f64())),
        Elem::BF16 => chunks.for_each(|c| f(half::bf16::from_le_bytes(le(c, be)).to_f64())),
        Elem::F32 => chunks.for_each(|c| f(f32::from_le_bytes(le(c, be)).into())),
        Elem::F64 => chunks.for_each(|c| f(f64::from_le_bytes(le(c, be)))),
        Elem::I8 => chunks.for_each(|c| f(f64::from(c[0] as i8))),
        Elem::U8 => chunks.for_each(|c| f(f64::from(c[0]))),
        Elem::I16 => chunks.for_each(|c| f(i16::from_le_bytes(le(c, be)).into())),
        Elem::U16 => chunks.for_each(|c| f(u16::from_le_bytes(le(c, be)).into())),
        Elem::I32 => chunks.for_each(|c| f(i32::from_le_bytes(le(c, be)).into())),
        Elem::U32 => chunks.for_each(|c| f(u32::from_le_bytes(le(c, be)).into())),
        Elem::I64 => chunks.for_each(|c| f(i64::from_le_bytes(le(c, be)) as f64)),
        Elem::U64 => chunks.for_each(|c| f(u64::from_le_bytes(le(c, be)) as f64)),
    }
}

/// Every value as f32, in file order.
pub fn to_f32(raw: &RawArray) -> Vec<f32> {
    let mut out = Vec::with_capacity(raw.len());
    match (raw.dtype.elem, raw.dtype.big_endian) {
        (Elem::F32, be) => {
            let chunks = raw.data().chunks_exact(4);
            out.extend(chunks.map(|c| f32::from_le_bytes(le(c, be))));
        }
        _ => for_each_f64(raw, |v| out.push(v as f32)),
    }
    out
}

/// Every value as an exact integer, in file order: floats must be whole numbers, and 64-bit
/// integers are kept without passing through a float.
pub fn to_integers(raw: &RawArray) -> Result<Vec<i64>, String> {
    let be = raw.dtype.big_endian;
    let chunks = raw.data().chunks_exact(raw.dtype.elem.size());
    match raw.dtype.elem {
        Elem::I64 => Ok(chunks.map(|c| i64::from_le_bytes(le(c, be))).collect()),
        Elem::U64 => chunks
            .map(|c| {
                let v = u64::from_le_bytes(le(c, be));
                i64::try_from(v).map_err(|_| format!("value {v} is out of range"))
            })
            .collect(),
        elem => {
            let mut out = Vec::with_capacity(raw.len());
            let mut bad = None;
            for_each_f64(raw, |v| {
                if elem.is_float() && (v.fract() != 0.0 || !v.is_finite() || v.abs() > 9e15) {
                    bad.get_or_insert(v);
                }
                out.push(v as i64);
            });
            match bad {
                Some(v) => Err(format!("value {v} is not an integer")),
                None => Ok(out),
            }
        }
    }
}

/// `values` (in file order of an array of `shape`) in C order.
pub fn c_order<T: Clone>(shape: &[usize], fortran: bool, values: Vec<T>) -> Vec<T> {
    if !fortran || shape.iter().filter(|&&d| d > 1).count() < 2 {
        return values;
    }
    use ndarray::ShapeBuilder;
    match ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape).f(), values) {
        Ok(a) => a.iter().cloned().collect(),
        Err(e) => unreachable!("RawArray::new checked the length: {e}"),
    }
}

#[cfg(test)]
#[path = "npy_tests.rs"]
mod tests;
