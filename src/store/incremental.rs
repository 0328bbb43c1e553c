//! Reading a step's activations with SQLite's incremental BLOB I/O. A `SELECT` of the
//! value has SQLite assemble all of it in a buffer of its own first; on a 50,000 x 512 step
//! that copy took 135 of a 165 ms load (Python's sqlite3 the same), incremental reads 50 ms.
//! Only a BLOB of exactly N x dim `f32` is read this way: anything else is left to
//! `Store::with_blob`, which reports it.

use ndarray::Array2;
use rusqlite::OptionalExtension;
use rusqlite::blob::Blob;

use super::blob::{Scan, scan_slice};
use super::error::Result;
use super::reader::Store;
use crate::model::StepId;

/// Bytes per read: small enough to stay in cache while it is scanned.
const PIECE: usize = 1 << 18;

impl Store {
    /// The (step, layer) BLOB opened for reading, if it is a BLOB of `bytes` bytes.
    fn activation_blob(&self, step: StepId, layer: &str, bytes: usize) -> Result<Option<Blob<'_>>> {
        let found: Option<(i64, String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT rowid, typeof(data), length(data) FROM activations \
                 WHERE step = ?1 AND layer = ?2",
            )
            .and_then(|mut stmt| {
                stmt.query_row((step, layer), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(|e| self.err(e.into()))?;
        let Some((rowid, kind, length)) = found else {
            return Ok(None);
        };
        if kind != "blob" || usize::try_from(length).ok() != Some(bytes) {
            return Ok(None);
        }
        Ok(self
            .conn
            .blob_open("main", "activations", "data", rowid, true)
            .ok())
    }

    /// The N x dim matrix read piece by piece straight into its place, each piece scanned
    /// for unusable values while it is still in cache (a second pass over a 100 MB step
    /// costs as much as the read's own copy); `None` when the value is not a BLOB of that
    /// size.
    pub(super) fn read_matrix(
        &self,
        step: StepId,
        layer: &str,
        rows: usize,
        dim: usize,
    ) -> Result<Option<(Array2<f32>, Scan)>> {
        let Some(total) = rows.checked_mul(dim).and_then(|n| n.checked_mul(4)) else {
            return Ok(None);
        };
        let Some(blob) = self.activation_blob(step, layer, total)? else {
            return Ok(None);
        };
        let mut values = zeroed(rows * dim);
        let mut scan = Scan::default();
        let per_piece = PIECE / 4;
        for (i, piece) in values.chunks_mut(per_piece).enumerate() {
            blob.read_at_exact(bytemuck::cast_slice_mut(piece), i * PIECE)
                .map_err(|e| self.err(e.into()))?;
            if cfg!(target_endian = "big") {
                // Stored little-endian: the bytes were read as they are.
                piece
                    .iter_mut()
                    .for_each(|v| *v = f32::from_bits(u32::from_le(v.to_bits())));
            }
            scan = scan.then(scan_slice(piece, i * per_piece, dim));
        }
        Ok(Array2::from_shape_vec((rows, dim), values)
            .ok()
            .map(|m| (m, scan)))
    }
}

/// `len` zeros for a step's values. On Linux the buffer asks for transparent huge pages:
/// a 100 MB step otherwise takes 25,000 page faults as it is filled (its load took 70-95 ms
/// with them, 29-36 ms without) and 9 ms to unmap.
fn zeroed(len: usize) -> Vec<f32> {
    let values = vec![0f32; len];
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = values.as_ptr() as usize;
        let end = start + len * 4;
        let (from, to) = (start.next_multiple_of(HUGE), end / HUGE * HUGE);
        if to > from {
            // SAFETY: [from, to) lies inside the allocation `values` owns, and the advice
            // only changes how the kernel backs those pages, never their contents. A
            // refusal (no THP in this kernel) leaves ordinary pages, so it is ignored.
            #[allow(unsafe_code)]
            let _ = unsafe {
                rustix::mm::madvise(from as *mut _, to - from, rustix::mm::Advice::LinuxHugepage)
            };
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::PIECE;
    use crate::model::LayerKind;
    use crate::store::blob::{Unusable, scan};
    use crate::store::{Store, Writer};

    /// A step read in several pieces (rows straddle them) whose unusable values are in
    /// different pieces: the piecewise scan finds what a scan of the whole matrix finds, with
    /// rows counted from the start of the matrix.
    #[test]
    fn values_read_piece_by_piece_are_the_stored_ones_and_their_scan_names_the_right_rows() {
        let (images, dim) = (1000, 200);
        assert!(images * dim * 4 > 3 * PIECE, "several pieces");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.sqlite");
        let mut w = Writer::create(&path).unwrap();
        w.add_classes(&["a", "b"]).unwrap();
        let labels: Vec<u32> = (0..images as u32).map(|i| i % 2).collect();
        w.add_images(&labels, None, None).unwrap();
        w.add_layer("fc", dim, LayerKind::Features).unwrap();
        let clean = Array2::from_shape_fn((images, dim), |(i, j)| (i * dim + j) as f32 * 1e-3);
        w.add_step(0, None, None, &[("fc", clean.view())]).unwrap();
        w.finish().unwrap();

        let mut bad = clean.clone();
        bad[[400, 7]] = f32::NAN;
        bad[[900, 199]] = f32::INFINITY;
        bad[[100, 0]] = 1e30;
        bad[[999, 3]] = -1e30;
        let bytes: Vec<u8> = bad.iter().flat_map(|v| v.to_le_bytes()).collect();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE activations SET data = ?1 WHERE step = 0", [bytes])
            .unwrap();
        drop(conn);

        let store = Store::open(&path).unwrap();
        let (values, found) = store.load_scanned(0, "fc").unwrap();
        let bits = |m: &Array2<f32>| m.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert!(
            bits(&values) == bits(&bad),
            "the values read are the stored ones"
        );
        let u = |count, first_row| Some(Unusable { count, first_row });
        assert_eq!(found.non_finite, u(2, 400));
        assert_eq!(found.too_large, u(2, 100));
        assert_eq!(found, scan(bad.view()));
        let refused = store.load(0, "fc").unwrap_err().to_string();
        assert!(
            refused.contains("2 NaN or infinite values (first in image 400)"),
            "{refused}"
        );
    }
}
