//! Which images are near which in a layer: the nearest images of one image (among the
//! images of a class), and k-means clusters.

use ndarray::ArrayView2;

use super::error::{Error, Result};
use super::select::At;
use crate::analysis::cluster::{Clusters, kmeans};
use crate::analysis::neighbours::{Metric, Neighbour, nearest};
use crate::model::{ClassId, ImageId};
use crate::store::Store;

/// The images whose true class is `class`, in id order.
pub fn images_of_class(labels: &[ClassId], class: ClassId) -> Vec<ImageId> {
    (0..labels.len() as ImageId)
        .filter(|&i| labels[i as usize] == class)
        .collect()
}

/// The `k` images nearest to `image` in `values`, only of true class `class` when given.
pub fn nearest_of_class(
    values: ArrayView2<f32>,
    labels: &[ClassId],
    image: ImageId,
    k: usize,
    metric: Metric,
    class: Option<ClassId>,
) -> Vec<Neighbour> {
    let among = class.map(|c| images_of_class(labels, c));
    nearest(values, image, k, metric, among.as_deref())
}

/// k-means of the layer at `at` (k-means++ seeded by `seed`).
pub fn clusters(store: &Store, at: &At, k: usize, seed: u64) -> Result<Clusters> {
    let values = store.load(at.step, &at.layer.name)?;
    kmeans(values.view(), &store.catalog().labels, k, seed).map_err(|source| Error::Analysis {
        db: store.path().to_path_buf(),
        what: "",
        source,
    })
}
