//! The activation BLOB encoding: N x dim `f32`, little-endian, image-major.

use ndarray::Array2;

/// Decodes a BLOB already checked to hold `rows * cols` floats, in one allocation.
pub fn decode(bytes: &[u8], rows: usize, cols: usize) -> Array2<f32> {
    debug_assert_eq!(bytes.len(), rows * cols * 4);
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Array2::from_shape_vec((rows, cols), values).expect("length checked by the caller")
}

/// Counts non-finite values and the row of the first one.
pub fn non_finite(values: &Array2<f32>) -> Option<(usize, usize)> {
    let cols = values.ncols().max(1);
    let mut count = 0;
    let mut first = None;
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() {
            count += 1;
            first.get_or_insert(i / cols);
        }
    }
    first.map(|row| (count, row))
}

/// Encodes rows in image-major order, whatever the array's memory layout, into a buffer
/// that keeps its capacity from one call to the next.
pub fn encode_into(values: ndarray::ArrayView2<f32>, out: &mut Vec<u8>) {
    out.clear();
    out.reserve(values.len() * 4);
    for v in values.iter() {
        out.extend_from_slice(&v.to_le_bytes());
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
        let mut bytes = vec![9];
        encode_into(t.t(), &mut bytes);
        assert_eq!(decode(&bytes, 2, 3), a);
    }

    #[test]
    fn non_finite_reports_count_and_first_row() {
        let a = array![[1.0f32, 2.0], [f32::NAN, 0.0], [f32::INFINITY, f32::NAN]];
        assert_eq!(non_finite(&a), Some((3, 1)));
        assert_eq!(non_finite(&array![[0.0f32]]), None);
    }
}
