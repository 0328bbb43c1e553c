//! Reads IDX files, the format MNIST, Fashion-MNIST and EMNIST are distributed in,
//! gzipped or not.

use std::io::Read;
use std::path::Path;

/// An IDX array of unsigned bytes: its dimensions and data, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxU8 {
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

/// Reads an IDX file of type u8 (0x08), transparently un-gzipping it.
pub fn read_idx_u8(path: &Path) -> Result<IdxU8, String> {
    let raw = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("{}: corrupt gzip data: {e}", path.display()))?;
        out
    } else {
        raw
    };
    parse_idx_u8(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the bytes of an IDX file of type u8.
pub fn parse_idx_u8(bytes: &[u8]) -> Result<IdxU8, String> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err("not an IDX file (bad magic number)".into());
    }
    if bytes[2] != 0x08 {
        return Err(format!(
            "IDX element type 0x{:02x} is not unsigned bytes (0x08)",
            bytes[2]
        ));
    }
    let ndims = bytes[3] as usize;
    let header = 4 + 4 * ndims;
    if ndims == 0 || bytes.len() < header {
        return Err("truncated IDX header".into());
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let Some(expected) = expected else {
        return Err("IDX dimensions overflow".into());
    };
    let data = &bytes[header..];
    if data.len() != expected {
        return Err(format!(
            "IDX data is {} bytes, the header's dimensions {:?} need {}",
            data.len(),
            dims,
            expected
        ));
    }
    Ok(IdxU8 {
        dims,
        data: data.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, 8, dims.len() as u8];
        for d in dims {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn parses_images_and_rejects_truncation() {
        let b = idx(&[2, 1, 2], &[1, 2, 3, 4]);
        assert_eq!(
            parse_idx_u8(&b).unwrap(),
            IdxU8 {
                dims: vec![2, 1, 2],
                data: vec![1, 2, 3, 4]
            }
        );
        assert!(
            parse_idx_u8(&b[..b.len() - 1])
                .unwrap_err()
                .contains("need 4")
        );
        assert!(parse_idx_u8(b"PK\x03\x04").unwrap_err().contains("magic"));
    }
}
