//! The per-sample forces of UMAP's layout optimisation ([`super::umap_layout`]), applied to
//! whole slices of offsets at once.
//!
//! The passes are element-wise loops over plain slices, kept out of line so the compiler
//! vectorises them: inlined into the sampling loop it did not, and the scalar chains of the
//! polynomials bounded the whole optimisation. Where the processor has AVX2 the same loops
//! run compiled 8-wide; a build for any x86-64 may only assume 4-wide SSE2.

/// Settings of the optimisation ([`super::umap_layout`]); defined here, beside the forces
/// that read its curve and repulsion, so that the layout depends on the forces and not back.
#[derive(Debug, Clone, Copy)]
pub(super) struct LayoutSettings {
    /// Curve parameters of the low-dimensional similarity 1 / (1 + a d^(2b)), fitted from
    /// `min_dist` by manifolds-rs.
    pub a: f32,
    pub b: f32,
    pub epochs: usize,
    /// Negative samples per positive sample (umap-learn's 5).
    pub negative_rate: usize,
    /// Weight of the repulsive term (umap-learn's `repulsion_strength`, 1).
    pub repulsion: f32,
    /// Step size at the first epoch, decreasing linearly to zero (umap-learn's 1).
    pub learning_rate: f32,
    pub seed: u64,
}

/// Largest move along one axis from one gradient term (umap-learn's clip).
const CLIP: f32 = 4.0;

/// Added to squared distances in the repulsive term so coincident points push apart
/// finitely (umap-learn's 0.001).
const REPULSION_EPSILON: f32 = 0.001;

/// A force as a function of the offset (dx, dy) from an image to the other image of a
/// sample. A type rather than a function pointer, so each pass is compiled with its force
/// inlined (through a pointer the loop was not vectorised).
pub(super) trait Force {
    fn on(dx: f32, dy: f32, s: &LayoutSettings) -> (f32, f32);
}

/// Attraction towards a neighbour in the graph.
pub(super) struct Pull;

/// Repulsion from an image drawn at random.
pub(super) struct Push;

impl Force for Pull {
    #[inline(always)]
    fn on(dx: f32, dy: f32, s: &LayoutSettings) -> (f32, f32) {
        let d2 = dx * dx + dy * dy;
        let safe = d2.max(f32::MIN_POSITIVE);
        let pow_b = pow(safe, s.b);
        let coeff = -2.0 * s.a * s.b * pow_b / (safe * (1.0 + s.a * pow_b));
        // Coincident points exert no pull.
        let coeff = if d2 > 0.0 { coeff } else { 0.0 };
        (clip(coeff * dx), clip(coeff * dy))
    }
}

impl Force for Push {
    #[inline(always)]
    fn on(dx: f32, dy: f32, s: &LayoutSettings) -> (f32, f32) {
        let d2 = dx * dx + dy * dy;
        let coeff = 2.0 * s.repulsion * s.b
            / ((REPULSION_EPSILON + d2) * (1.0 + s.a * pow(d2.max(f32::MIN_POSITIVE), s.b)));
        if d2 > 0.0 {
            (clip(coeff * dx), clip(coeff * dy))
        } else {
            // Coincident points: umap-learn pushes by the clip along both axes.
            (CLIP, CLIP)
        }
    }
}

/// Replaces each offset (dx[i], dy[i]) by the move `F` makes from it.
#[inline(never)]
pub(super) fn apply_forces<F: Force>(dx: &mut [f32], dy: &mut [f32], s: &LayoutSettings) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        return unsafe { apply_avx2::<F>(dx, dy, s) };
    }
    apply::<F>(dx, dy, s)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn apply_avx2<F: Force>(dx: &mut [f32], dy: &mut [f32], s: &LayoutSettings) {
    apply::<F>(dx, dy, s)
}

#[inline(always)]
fn apply<F: Force>(dx: &mut [f32], dy: &mut [f32], s: &LayoutSettings) {
    for (x, y) in dx.iter_mut().zip(dy.iter_mut()) {
        (*x, *y) = F::on(*x, *y, s);
    }
}

/// `x^b` for `x > 0` to about 2e-4 relative, as 2^(b log2 x) with both halves from the
/// float's exponent and a quartic on its mantissa. `powf` was a quarter of the run time, and
/// the samples' own noise is far larger than this error.
#[inline(always)]
fn pow(x: f32, b: f32) -> f32 {
    exp2(b * log2(x))
}

#[inline(always)]
fn log2(x: f32) -> f32 {
    // Least-squares fit of log2(1 + t) on [0, 1), within 2.1e-4.
    const C: [f32; 5] = [
        2.041_589e-4,
        1.436_098_1,
        -0.669_515_2,
        0.312_214_27,
        -0.079_150_37,
    ];
    let bits = x.to_bits() as i32;
    let exponent = ((bits >> 23) & 0xff) - 127;
    let t = f32::from_bits(((bits & 0x007f_ffff) | 0x3f80_0000) as u32) - 1.0;
    let poly = C[0] + t * (C[1] + t * (C[2] + t * (C[3] + t * C[4])));
    exponent as f32 + poly
}

#[inline(always)]
fn exp2(y: f32) -> f32 {
    // Least-squares fit of 2^t on [0, 1), within 7.3e-6 relative.
    const C: [f32; 5] = [
        1.000_007_3,
        0.692_931_3,
        0.241_710_26,
        0.051_666_88,
        0.013_676_531,
    ];
    // Biased to be positive, so truncation is the floor (`floor` is a libm call without
    // SSE4.1).
    let biased = y.clamp(-126.0, 126.0) + 127.0;
    let whole = biased as i32;
    let t = biased - whole as f32;
    let poly = C[0] + t * (C[1] + t * (C[2] + t * (C[3] + t * C[4])));
    f32::from_bits((whole << 23) as u32) * poly
}

#[inline(always)]
fn clip(v: f32) -> f32 {
    v.clamp(-CLIP, CLIP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_pow_matches_powf() {
        for b in [0.79f32, 0.895, 1.0, 1.33] {
            for k in -60..60 {
                let x = 1.37f32.powi(k);
                let want = x.powf(b);
                let got = pow(x, b);
                assert!((got / want - 1.0).abs() < 3e-4, "{x}^{b}: {got} vs {want}");
            }
        }
    }
}
