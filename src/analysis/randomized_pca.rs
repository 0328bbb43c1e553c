//! The top principal directions of wide layers (thousands of dims) without a full
//! eigendecomposition: block subspace iteration from a random start (Halko, Martinsson and
//! Tropp, 2011) on the already formed covariance.

use linfa_linalg::eigh::{EigSort, EighInto};
use linfa_linalg::qr::QRInto;
use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::error::AnalysisError;

/// Extra directions sampled beyond those wanted: they make the top ones accurate.
const OVERSAMPLE: usize = 10;
/// Most subspace iterations on a covariance; they stop earlier once the wanted Ritz values
/// settle to 1e-13 relative.
const MAX_COVARIANCE_ITERATIONS: usize = 200;

/// The top `wanted` eigenpairs (vectors as columns, dim x wanted; values in decreasing order)
/// of a symmetric positive semi-definite `covariance`, by block subspace iteration with
/// Rayleigh-Ritz (Saad, 2011, ch. 5): products of dim² x block each round instead of a full
/// dim³ eigendecomposition. Each round's error shrinks as (λ_block+1 / λ_wanted)², and the
/// loop runs until the wanted values stop moving. Deterministic: the start is seeded.
pub fn top_eigenpairs(
    covariance: ArrayView2<f64>,
    wanted: usize,
) -> Result<(Array2<f64>, Vec<f64>), AnalysisError> {
    let d = covariance.nrows();
    let l = (wanted + OVERSAMPLE).min(d);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x5eed);
    let start = Array2::from_shape_fn((d, l), |_| StandardNormal.sample(&mut rng));
    let mut q = orthonormal64(start)?;
    let mut previous = vec![f64::INFINITY; wanted.min(l)];
    let mut ritz = (Array2::zeros((l, l)), Vec::new());
    for _ in 0..MAX_COVARIANCE_ITERATIONS {
        let z = covariance.dot(&q); // d x l
        let small = q.t().dot(&z); // l x l, the covariance on the subspace
        let small = (&small + &small.t()) / 2.0;
        let (values, vectors) = small
            .eigh_into()
            .map_err(|e| AnalysisError::Numerical(format!("eigendecomposition failed: {e}")))?
            .sort_eig_desc();
        let current: Vec<f64> = values.iter().take(previous.len()).copied().collect();
        let settled = current
            .iter()
            .zip(&previous)
            .all(|(c, p)| (c - p).abs() <= 1e-13 * c.abs().max(f64::MIN_POSITIVE));
        ritz = (q.dot(&vectors), values.to_vec());
        previous = current;
        if settled {
            break;
        }
        q = orthonormal64(z)?;
    }
    let (vectors, values) = ritz;
    let mut directions = Array2::zeros((d, wanted));
    let mut variances = vec![0.0; wanted];
    for c in 0..wanted.min(l) {
        directions.column_mut(c).assign(&vectors.column(c));
        variances[c] = values[c].max(0.0);
    }
    Ok((directions, variances))
}

fn orthonormal64(y: Array2<f64>) -> Result<Array2<f64>, AnalysisError> {
    let (q, _) = y
        .qr_into()
        .map_err(|e| AnalysisError::Numerical(format!("QR failed: {e}")))?
        .into_decomp();
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::kernels::gram;
    use approx::assert_relative_eq;
    use ndarray::Axis;

    #[test]
    fn matches_the_exact_eigendecomposition_on_a_wide_layer() {
        let (n, d) = (2000, 160);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        // A decaying spectrum: column j has scale 1 / (1 + j / 3), mixed by a fixed rotation.
        let z = Array2::from_shape_fn((n, d), |(_, j)| {
            let v: f32 = StandardNormal.sample(&mut rng);
            v / (1.0 + j as f32 / 3.0)
        });
        let mix = Array2::from_shape_fn((d, d), |(i, j)| {
            if i == j {
                0.8
            } else if (i + j) % 97 == 0 {
                0.3
            } else {
                0.0
            }
        });
        let x = z.dot(&mix);
        let mean = x.mean_axis(Axis(0)).unwrap();
        let xc = &x - &mean;
        let cov = gram(xc.view()) / (n - 1) as f64;
        let (dirs, vars) = top_eigenpairs(cov.view(), 2).unwrap();
        let (values, vectors) = cov.eigh_into().unwrap().sort_eig_desc();
        for c in 0..2 {
            assert_relative_eq!(vars[c], values[c], max_relative = 1e-4);
            let cos = dirs.column(c).dot(&vectors.column(c)).abs();
            assert!(cos > 0.999, "direction {c}: |cos| = {cos}");
        }
    }
}
