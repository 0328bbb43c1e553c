//! numpy's `argsort` (its default "quicksort" kind, the portable kernel), index for index,
//! so that where cleanlab sorts values with ties deepscope picks the same images.
//!
//! Equal values are common in confident learning: rounding residues of the confident joint
//! (a row of equal counts gives equal residues), margins of saturated probabilities, quality
//! scores of 0. numpy does not promise an order among them, and in fact it has two: on CPUs
//! with AVX-512 (and on some with AVX2) it sorts with x86-simd-sort's vector networks, whose
//! order among equal values depends on the CPU and numpy's build; elsewhere, and whenever
//! the dispatched kernels are disabled (`NPY_DISABLE_CPU_FEATURES`), it runs the introsort
//! below (median-of-3 quicksort, insertion sort under 17 elements, heapsort past the depth
//! limit). That one is the same on every machine, so it is the reading followed here and the
//! one scripts/cleanlab_fixtures.py asks numpy for. Neither `sort_by` (stable) nor
//! `sort_unstable_by` (pattern-defeating quicksort) orders ties as it does, hence a port.

/// numpy's `less` for floats: NaN sorts after everything, as in `np.sort`.
fn less(a: f64, b: f64) -> bool {
    a < b || (b.is_nan() && !a.is_nan())
}

/// Partitions below this length (numpy's `SMALL_QUICKSORT` + 1) are insertion-sorted.
const SMALL: usize = 16;

/// Indices that sort `values` ascending, exactly as `np.argsort(values)` with numpy's
/// portable kernel (ties and NaNs included).
pub fn argsort(values: &[f64]) -> Vec<usize> {
    let mut t: Vec<usize> = (0..values.len()).collect();
    if t.len() < 2 {
        return t;
    }
    let v = |i: usize| values[i];
    // (left, right, depth budget) of the partitions still to sort; numpy's explicit stack.
    let mut stack: Vec<(usize, usize, i64)> = Vec::new();
    let (mut pl, mut pr) = (0usize, t.len() - 1);
    let mut depth = 2 * i64::from(t.len().ilog2());
    loop {
        if depth < 0 {
            heapsort(values, &mut t[pl..=pr]);
        } else {
            while pr - pl + 1 > SMALL {
                let pi = partition(values, &mut t, pl, pr);
                depth -= 1;
                // The smaller side is sorted next; the larger waits on the stack.
                if pi - pl < pr - pi {
                    stack.push((pi + 1, pr, depth));
                    pr = pi - 1;
                } else {
                    stack.push((pl, pi - 1, depth));
                    pl = pi + 1;
                }
            }
            insertion_sort(&v, &mut t[pl..=pr]);
        }
        match stack.pop() {
            Some((l, r, d)) => (pl, pr, depth) = (l, r, d),
            None => return t,
        }
    }
}

/// numpy's median-of-3 partition of `t[pl..=pr]` (more than 16 long); returns where the
/// pivot ends.
fn partition(values: &[f64], t: &mut [usize], pl: usize, pr: usize) -> usize {
    let v = |i: usize| values[i];
    let pm = pl + ((pr - pl) >> 1);
    if less(v(t[pm]), v(t[pl])) {
        t.swap(pm, pl);
    }
    if less(v(t[pr]), v(t[pm])) {
        t.swap(pr, pm);
    }
    if less(v(t[pm]), v(t[pl])) {
        t.swap(pm, pl);
    }
    let pivot = v(t[pm]);
    let (mut pi, mut pj) = (pl, pr - 1);
    t.swap(pm, pj);
    loop {
        // The sentinels (t[pl] <= pivot <= t[pr - 1]) keep both scans inside the range.
        pi += 1;
        while less(v(t[pi]), pivot) {
            pi += 1;
        }
        pj -= 1;
        while less(pivot, v(t[pj])) {
            pj -= 1;
        }
        if pi >= pj {
            break;
        }
        t.swap(pi, pj);
    }
    t.swap(pi, pr - 1);
    pi
}

/// numpy's insertion sort: each element moves left past strictly greater ones.
fn insertion_sort(v: &impl Fn(usize) -> f64, t: &mut [usize]) {
    for i in 1..t.len() {
        let vi = t[i];
        let key = v(vi);
        let mut j = i;
        while j > 0 && less(key, v(t[j - 1])) {
            t[j] = t[j - 1];
            j -= 1;
        }
        t[j] = vi;
    }
}

/// numpy's `aheapsort_`, the fallback when quicksort goes too deep (1-based heap indices).
fn heapsort(values: &[f64], t: &mut [usize]) {
    let v = |i: usize| values[i];
    let mut n = t.len();
    let sift = |t: &mut [usize], mut i: usize, n: usize, tmp: usize| {
        let mut j = 2 * i;
        while j <= n {
            if j < n && less(v(t[j - 1]), v(t[j])) {
                j += 1;
            }
            if less(v(tmp), v(t[j - 1])) {
                t[i - 1] = t[j - 1];
                i = j;
                j += j;
            } else {
                break;
            }
        }
        t[i - 1] = tmp;
    };
    for l in (1..=n / 2).rev() {
        let tmp = t[l - 1];
        sift(t, l, n, tmp);
    }
    while n > 1 {
        let tmp = t[n - 1];
        t[n - 1] = t[0];
        n -= 1;
        sift(t, 1, n, tmp);
    }
}
