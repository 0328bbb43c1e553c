//! Reads IDX files, the format MNIST, Fashion-MNIST and EMNIST are distributed in,
//! gzipped or not. A gzipped file is decompressed only as far as its header says, and a
//! header claiming more than the compressed bytes could hold is refused before anything is
//! decompressed.

use std::io::Read;
use std::path::Path;

/// An IDX array of unsigned bytes: its dimensions and data, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxU8 {
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

/// gzip (deflate) cannot expand data by more than about 1,032 times.
const GZIP_MAX_RATIO: usize = 1100;

/// Reads an IDX file of type u8 (0x08), transparently un-gzipping it.
pub fn read_idx_u8(path: &Path) -> Result<IdxU8, String> {
    let raw = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_idx_bytes(&raw).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the bytes of an IDX file, gzipped or not.
pub fn parse_idx_bytes(raw: &[u8]) -> Result<IdxU8, String> {
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return parse_idx_u8(raw);
    }
    let gz = |e: std::io::Error| format!("corrupt gzip data: {e}");
    let mut stream = flate2::read::GzDecoder::new(raw);
    let mut bytes = Vec::new();
    stream
        .by_ref()
        .take(4)
        .read_to_end(&mut bytes)
        .map_err(gz)?;
    let header = check_magic(&bytes)?;
    stream
        .by_ref()
        .take(header as u64 - 4)
        .read_to_end(&mut bytes)
        .map_err(gz)?;
    let total = header
        .checked_add(data_len(&bytes, header)?)
        .ok_or("IDX dimensions overflow")?;
    let bound = raw.len().saturating_mul(GZIP_MAX_RATIO);
    if total > bound {
        return Err(format!(
            "the IDX header claims {total} bytes, more than {} gzipped bytes can hold",
            raw.len()
        ));
    }
    bytes.reserve_exact(total - bytes.len());
    // One byte more than the header says, to notice data beyond it.
    stream
        .take((total - bytes.len()) as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(gz)?;
    parse_idx_u8(&bytes)
}

/// The header's length, from the first four bytes.
fn check_magic(bytes: &[u8]) -> Result<usize, String> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err("not an IDX file (bad magic number)".into());
    }
    if bytes[2] != 0x08 {
        return Err(format!(
            "IDX element type 0x{:02x} is not unsigned bytes (0x08)",
            bytes[2]
        ));
    }
    if bytes[3] == 0 {
        return Err("an IDX file of no dimensions".into());
    }
    Ok(4 + 4 * bytes[3] as usize)
}

fn dims(bytes: &[u8], header: usize) -> Result<Vec<usize>, String> {
    if bytes.len() < header {
        return Err("truncated IDX header".into());
    }
    Ok(bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect())
}

fn data_len(bytes: &[u8], header: usize) -> Result<usize, String> {
    dims(bytes, header)?
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| "IDX dimensions overflow".into())
}

/// Parses the bytes of an IDX file of type u8.
pub fn parse_idx_u8(bytes: &[u8]) -> Result<IdxU8, String> {
    let header = check_magic(bytes)?;
    let dims = dims(bytes, header)?;
    let expected = data_len(bytes, header)?;
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
    use std::io::Write;

    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, 8, dims.len() as u8];
        for d in dims {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b.extend_from_slice(data);
        b
    }

    fn gzip(b: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(b).unwrap();
        gz.finish().unwrap()
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
        assert_eq!(parse_idx_bytes(&gzip(&b)).unwrap().data, vec![1, 2, 3, 4]);
    }

    #[test]
    fn gzip_is_decompressed_no_further_than_the_header_says() {
        // 64 MB of zeros behind a header that claims 10 bytes: refused after 11.
        let big = gzip(&idx(&[10], &vec![0; 64 << 20]));
        assert!(parse_idx_bytes(&big).unwrap_err().contains("need 10"));
        // A header claiming far more than the compressed bytes can hold.
        let liar = gzip(&idx(&[60000, 28, 28000], &[0; 100]));
        assert!(parse_idx_bytes(&liar).unwrap_err().contains("more than"));
    }
}
