//! Which image view 3 is about: the mistake under the list cursor, or an image sent there
//! from a grid of pictures (`n` on a map selection or a confusion cell), shown beside its
//! nearest images of two classes with its p(true) over training, whether or not it is a
//! mistake. A correctly classified image is compared with the class it is most nearly
//! taken for (the runner-up) instead of its prediction, which is its own class.

use super::app::{App, MisFocus, Overlay, View};
use crate::model::{ClassId, ImageId};

impl App {
    /// The image view 3 is about: the one sent there, else the mistake under the list
    /// cursor (not a neighbour).
    pub fn mis_selected_image(&self) -> Option<ImageId> {
        if let Some(image) = self.mis.pinned {
            return Some(image);
        }
        let list = self.visible_mistakes();
        list.get(self.mis.selected.min(list.len().saturating_sub(1)))
            .map(|m| m.image)
    }

    /// The two classes whose nearest images view 3 shows beside `image`: its prediction
    /// and its true class; for a correct prediction, the runner-up class and its own.
    pub fn neighbour_classes(&self, image: ImageId) -> Option<[ClassId; 2]> {
        let scores = self.scores()?;
        let label = *self.catalog.labels.get(image as usize)?;
        let predicted = scores.predictions.get(image as usize)?.class;
        if predicted != label {
            return Some([predicted, label]);
        }
        let probs = scores.probabilities.row(image as usize);
        let runner_up = (0..probs.len())
            .filter(|&c| c != label as usize)
            .max_by(|&a, &b| probs[a].total_cmp(&probs[b]).then(b.cmp(&a)))?;
        Some([runner_up as ClassId, label])
    }

    /// `n` on a grid of pictures: the chosen image in view 3, beside its neighbours and
    /// with its history. A mistake is selected in the list; any other image is shown on
    /// its own until the list is moved again (or Esc).
    pub(super) fn send_to_mistakes(&mut self) {
        let image = match self.overlay {
            Some(Overlay::Region { selected }) => self.region_images().get(selected).copied(),
            Some(Overlay::Cell { .. }) => self.cell_images_selected(),
            _ => None,
        };
        let Some(image) = image else { return };
        self.overlay = None;
        self.mis.pinned = None;
        self.select_image(image);
        let listed = self.visible_mistakes().iter().any(|m| m.image == image);
        self.mis.pinned = (!listed).then_some(image);
        self.mis.focus = MisFocus::List;
        self.mis.neighbour_selected = [0, 0];
        self.view = View::Misclassified;
    }
}
