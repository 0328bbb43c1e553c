//! Tests of the .npy reader: headers that lie about sizes, dtypes and orders.

use super::*;

fn npy(header: &str, data: &[u8]) -> Arc<Vec<u8>> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&[1, 0]);
    b.extend_from_slice(&(header.len() as u16).to_le_bytes());
    b.extend_from_slice(header.as_bytes());
    b.extend_from_slice(data);
    Arc::new(b)
}

#[test]
fn headers_claiming_more_than_the_file_fail_before_allocating() {
    // A size that does not fit in memory's address range at all.
    let b = npy(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 512), }",
        &[0; 8],
    );
    assert!(parse_npy(b).unwrap_err().contains("is too large to exist"));
    // The case: a size that fits a usize but not the file.
    let b = npy(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 512), }",
        &[0; 8],
    );
    assert!(parse_npy(b).unwrap_err().contains("truncated"));
    let b = npy(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 512), }",
        &[0; 8],
    );
    assert!(parse_npy(b).unwrap_err().contains("truncated"));
    let mut b = (*npy("{}", &[])).clone();
    b[6] = 2;
    b.splice(8..10, 0xFFFF_FFF0u32.to_le_bytes());
    assert!(parse_npy(Arc::new(b)).unwrap_err().contains("damaged"));
}

#[test]
fn float16_big_endian_and_fortran_order_decode() {
    let halves: Vec<u8> = [1.5f32, -2.0, 0.25]
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect();
    let raw = parse_npy(npy(
        "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }",
        &halves,
    ))
    .unwrap();
    assert_eq!(to_f32(&raw), vec![1.5, -2.0, 0.25]);
    let data: Vec<u8> = [1i32, 4, 2, 5, 3, 6]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    let raw = parse_npy(npy(
        "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }",
        &data,
    ))
    .unwrap();
    let values = c_order(&raw.shape, raw.fortran, to_integers(&raw).unwrap());
    assert_eq!(values, vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn integers_stay_exact_and_fractions_are_refused() {
    let data: Vec<u8> = [0i64, 4_294_967_297, (1 << 40) + 1]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let raw = parse_npy(npy(
        "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
        &data,
    ))
    .unwrap();
    assert_eq!(
        to_integers(&raw).unwrap(),
        vec![0, 4_294_967_297, (1 << 40) + 1]
    );
    let data: Vec<u8> = [1.0f64, 2.5].iter().flat_map(|v| v.to_le_bytes()).collect();
    let raw = parse_npy(npy(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
        &data,
    ))
    .unwrap();
    assert!(to_integers(&raw).unwrap_err().contains("2.5"));
}
