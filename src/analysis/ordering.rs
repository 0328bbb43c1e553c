//! Ordering classes by hierarchical clustering so that groups of similar classes sit next to
//! each other and show as blocks along the matrix diagonal.

use ndarray::ArrayView2;

/// How the distance between two groups of classes is measured when they merge (also the
/// CLI's `--linkage` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Linkage {
    Average,
    Complete,
    Centroid,
    Ward,
}

impl Linkage {
    fn method(self) -> kodama::Method {
        match self {
            Linkage::Average => kodama::Method::Average,
            Linkage::Complete => kodama::Method::Complete,
            Linkage::Centroid => kodama::Method::Centroid,
            Linkage::Ward => kodama::Method::Ward,
        }
    }
}

/// One merge of the dendrogram: leaves are 0..K, merge `i` creates cluster `K + i`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    pub left: usize,
    pub right: usize,
    pub dissimilarity: f64,
}

/// A display order of the classes and the dendrogram it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassOrder {
    /// Class ids in display order (the dendrogram's leaf order).
    pub order: Vec<usize>,
    /// The merges in the order they happened, least dissimilar first.
    pub merges: Vec<Merge>,
}

impl ClassOrder {
    /// Cuts the dendrogram into (at most) `n` groups: the group id of every class, numbered
    /// in display order so neighbouring blocks have neighbouring ids.
    pub fn groups(&self, n: usize) -> Vec<usize> {
        let k = self.order.len();
        let mut parent: Vec<usize> = (0..2 * k.max(1)).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let merges = k.saturating_sub(n.max(1));
        for (i, step) in self.merges.iter().take(merges).enumerate() {
            let new = k + i;
            let (a, b) = (find(&mut parent, step.left), find(&mut parent, step.right));
            parent[a] = new;
            parent[b] = new;
        }
        let mut ids = vec![usize::MAX; k];
        let mut root_ids: Vec<(usize, usize)> = Vec::new();
        for &class in &self.order {
            let root = find(&mut parent, class);
            let id = match root_ids.iter().find(|(r, _)| *r == root) {
                Some(&(_, id)) => id,
                None => {
                    root_ids.push((root, root_ids.len()));
                    root_ids.len() - 1
                }
            };
            ids[class] = id;
        }
        ids
    }
}

/// Orders the K classes of a K x K similarity (larger = more similar; any scale) by
/// hierarchical clustering on the dissimilarity `max - s`, symmetrised.
pub fn order_classes(similarity: ArrayView2<f64>, linkage: Linkage) -> ClassOrder {
    let k = similarity.nrows().min(similarity.ncols());
    if k < 2 {
        return ClassOrder {
            order: (0..k).collect(),
            merges: vec![],
        };
    }
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let max = similarity
        .iter()
        .copied()
        .map(finite)
        .fold(f64::MIN, f64::max);
    let mut condensed = Vec::with_capacity(k * (k - 1) / 2);
    for i in 0..k {
        for j in i + 1..k {
            let s = (finite(similarity[[i, j]]) + finite(similarity[[j, i]])) / 2.0;
            condensed.push((max - s).max(0.0));
        }
    }
    let dendrogram = kodama::linkage(&mut condensed, k, linkage.method());
    let merges: Vec<Merge> = dendrogram
        .steps()
        .iter()
        .map(|s| Merge {
            left: s.cluster1,
            right: s.cluster2,
            dissimilarity: s.dissimilarity,
        })
        .collect();
    let order = leaf_order(&merges, k);
    ClassOrder { order, merges }
}

/// Leaves of the dendrogram left to right (an explicit stack: K can be in the thousands).
fn leaf_order(steps: &[Merge], k: usize) -> Vec<usize> {
    if steps.is_empty() {
        return (0..k).collect();
    }
    let mut order = Vec::with_capacity(k);
    let mut stack = vec![k + steps.len() - 1];
    while let Some(node) = stack.pop() {
        if node < k {
            order.push(node);
        } else {
            let step = &steps[node - k];
            // Push the second first so the first is visited first.
            stack.push(step.right);
            stack.push(step.left);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// 100 classes in 10 super-classes, shuffled: similar within a super-class, not across.
    fn hierarchy() -> (Array2<f64>, Vec<usize>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut superclass: Vec<usize> = (0..100).map(|c| c % 10).collect();
        for i in (1..100).rev() {
            superclass.swap(i, rng.gen_range(0..=i));
        }
        let s = Array2::from_shape_fn((100, 100), |(i, j)| {
            let base = if superclass[i] == superclass[j] {
                0.7
            } else {
                0.1
            };
            if i == j {
                1.0
            } else {
                base + 0.02 * ((i * 31 + j * 31) % 7) as f64
            }
        });
        (s, superclass)
    }

    #[test]
    fn ordering_groups_a_hierarchy_into_contiguous_blocks() {
        let (s, superclass) = hierarchy();
        for linkage in [
            Linkage::Average,
            Linkage::Complete,
            Linkage::Centroid,
            Linkage::Ward,
        ] {
            let order = order_classes(s.view(), linkage);
            let mut sorted = order.order.clone();
            sorted.sort();
            assert_eq!(
                sorted,
                (0..100).collect::<Vec<_>>(),
                "{linkage:?}: a permutation"
            );
            // Walking the order, the super-class changes exactly 9 times: 10 blocks.
            let changes = order
                .order
                .windows(2)
                .filter(|w| superclass[w[0]] != superclass[w[1]])
                .count();
            assert_eq!(changes, 9, "{linkage:?}");
            // Cutting into 10 groups gives back the super-classes.
            let groups = order.groups(10);
            for i in 0..100 {
                for j in 0..100 {
                    assert_eq!(groups[i] == groups[j], superclass[i] == superclass[j]);
                }
            }
            assert_eq!(
                groups[order.order[0]], 0,
                "groups are numbered in display order"
            );
        }
    }

    #[test]
    fn tiny_inputs() {
        assert_eq!(
            order_classes(Array2::<f64>::ones((1, 1)).view(), Linkage::Ward).order,
            vec![0]
        );
        let two = order_classes(Array2::<f64>::eye(2).view(), Linkage::Average);
        assert_eq!(two.groups(1), vec![0, 0]);
        assert_eq!(
            two.groups(5)
                .iter()
                .collect::<std::collections::HashSet<_>>()
                .len(),
            2
        );
        let nan = Array2::from_elem((3, 3), f64::NAN);
        assert_eq!(order_classes(nan.view(), Linkage::Complete).order.len(), 3);
    }
}
