//! The activation BLOB encoding: N x dim `f32`, little-endian, image-major.

use ndarray::Array2;

/// The largest magnitude an activation may have. The analyses work in `float32`, whose
/// largest value is 3.4e38; a BLOB holds at most 2^31 bytes (SQLite's hard limit), so at most
/// 2^29 values. At |x| <= 1e9 a square is <= 1e18, the sum of squares of a whole layer is
/// <= 5.4e26, a squared distance between two images <= 2.2e27, and products of such sums
/// with another million-fold factor (a covariance times a vector, a sum over all images)
/// still stay below 1e34: every PCA, t-SNE, UMAP, k-NN and clustering sum stays finite.
/// A trained network's activations are far smaller (the sample's largest is below 100);
/// one beyond 1e9 means a diverged run or a corrupted file.
pub const MAX_MAGNITUDE: f32 = 1e9;

/// Decodes a BLOB of `rows * cols` floats in one allocation, or `None` when its length is
/// not exactly that (the caller reports the lengths).
pub fn decode(bytes: &[u8], rows: usize, cols: usize) -> Option<Array2<f32>> {
    let floats = rows.checked_mul(cols)?;
    if floats.checked_mul(4)? != bytes.len() {
        return None;
    }
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Array2::from_shape_vec((rows, cols), values).ok()
}

/// Values an analysis cannot use: how many, and the row (image) of the first one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unusable {
    pub count: usize,
    pub first_row: usize,
}

/// What a scan of a matrix found: NaN or infinite values, and finite ones beyond
/// [`MAX_MAGNITUDE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scan {
    pub non_finite: Option<Unusable>,
    pub too_large: Option<Unusable>,
}

/// Scans every value once for NaN, infinities and magnitudes beyond [`MAX_MAGNITUDE`].
pub fn scan(values: ndarray::ArrayView2<f32>) -> Scan {
    use rayon::prelude::*;
    let cols = values.ncols().max(1);
    if let Some(flat) = values.as_slice() {
        const CHUNK: usize = 1 << 16;
        return flat
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(i, chunk)| scan_slice(chunk, i * CHUNK, cols))
            .reduce(Scan::default, Scan::then);
    }
    let mut found = Scan::default();
    for (i, v) in values.iter().enumerate() {
        found.count(*v, i, cols);
    }
    found
}

/// [`scan`] of a piece of a row-major matrix `cols` wide whose first value is value `first`
/// of the matrix (rows are reported as rows of the whole matrix).
pub fn scan_slice(piece: &[f32], first: usize, cols: usize) -> Scan {
    // Nearly every matrix is clean: a comparison that vectorises (NaN fails it too) settles
    // that; only a piece with a bad value is counted one by one.
    if piece
        .iter()
        .fold(true, |ok, v| ok & (v.abs() <= MAX_MAGNITUDE))
    {
        return Scan::default();
    }
    let (mut found, cols) = (Scan::default(), cols.max(1));
    for (i, &v) in piece.iter().enumerate() {
        found.count(v, first + i, cols);
    }
    found
}

impl Scan {
    /// Counts value `index` of a matrix `cols` wide if it is unusable.
    fn count(&mut self, v: f32, index: usize, cols: usize) {
        let slot = if !v.is_finite() {
            &mut self.non_finite
        } else if v.abs() > MAX_MAGNITUDE {
            &mut self.too_large
        } else {
            return;
        };
        slot.get_or_insert(Unusable {
            count: 0,
            first_row: index / cols,
        })
        .count += 1;
    }

    /// This scan followed by `later`'s, of the values after these.
    pub fn then(self, later: Scan) -> Scan {
        let join = |a: Option<Unusable>, b: Option<Unusable>| match (a, b) {
            (Some(a), Some(b)) => Some(Unusable {
                count: a.count + b.count,
                first_row: a.first_row,
            }),
            (a, b) => a.or(b),
        };
        Scan {
            non_finite: join(self.non_finite, later.non_finite),
            too_large: join(self.too_large, later.too_large),
        }
    }
}

/// Encodes the values in image-major order, whatever the array's memory layout, handing
/// `sink` one piece of at most about `piece_bytes` at a time; `buffer` is the piece, reused.
pub fn encode_pieces<E>(
    values: ndarray::ArrayView2<f32>,
    piece_bytes: usize,
    buffer: &mut Vec<u8>,
    mut sink: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    buffer.clear();
    for v in values.iter() {
        buffer.extend_from_slice(&v.to_le_bytes());
        if buffer.len() >= piece_bytes {
            sink(buffer)?;
            buffer.clear();
        }
    }
    if buffer.is_empty() {
        Ok(())
    } else {
        sink(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn encode_then_decode_is_identity_even_for_transposed_views() {
        let a = array![[1.0f32, -2.5, 3.0], [4.0, 5.0, f32::MIN_POSITIVE]];
        let t = a.t().to_owned();
        // Pieces of 8 bytes (two values): the sink sees 3 pieces, in order.
        let (mut bytes, mut pieces) = (vec![], 0);
        let mut buffer = vec![9];
        encode_pieces(t.t(), 8, &mut buffer, |p| {
            pieces += 1;
            bytes.extend_from_slice(p);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(pieces, 3);
        assert_eq!(decode(&bytes, 2, 3), Some(a));
    }

    #[test]
    fn decode_refuses_lengths_that_do_not_match_or_overflow() {
        assert_eq!(decode(&[0; 8], 1, 3), None);
        // rows * cols * 4 wraps to 0 in unchecked arithmetic: an empty BLOB must not match.
        assert_eq!(decode(&[], 2000, 1 << 62), None);
        assert_eq!(decode(&[], usize::MAX, 2), None);
    }

    #[test]
    fn scan_counts_non_finite_and_too_large_values_with_their_first_row() {
        let a = array![
            [1.0f32, 2.0],
            [f32::NAN, -1e9],
            [f32::INFINITY, 1.5e9],
            [-3e38, f32::NAN]
        ];
        let s = scan(a.view());
        let u = |count, first_row| Some(Unusable { count, first_row });
        assert_eq!(s.non_finite, u(3, 1));
        assert_eq!(s.too_large, u(2, 2));
        assert_eq!(
            scan(array![[0.0f32, MAX_MAGNITUDE]].view()),
            Scan::default()
        );
        // Rows are rows of the logical matrix, whatever its memory layout: in the transpose
        // -3e38 sits in row 0 and 1.5e9 in row 1.
        assert_eq!(scan(a.t()).too_large, u(2, 0));
    }
}
