//! Plain data shared by the store, the analysis and the views. Nothing here does I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A checkpoint number as the training run wrote it (an iteration count, usually).
pub type StepId = i64;
/// Dense class index, `0..K`.
pub type ClassId = u32;
/// Dense image index, `0..N`: also the row of the image in every activation matrix.
pub type ImageId = u32;

/// What a layer's values mean, which decides how predictions are read from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    /// Any hidden representation (e.g. the 64-d FC layer).
    Features,
    /// Pre-softmax class scores, one column per class.
    Logits,
    /// Class probabilities, one column per class.
    Probs,
}

impl LayerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::Features => "features",
            LayerKind::Logits => "logits",
            LayerKind::Probs => "probs",
        }
    }

    /// Whether this layer has one column per class and so yields predictions.
    pub fn is_class_scores(self) -> bool {
        matches!(self, LayerKind::Logits | LayerKind::Probs)
    }
}

impl fmt::Display for LayerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LayerKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "features" => Ok(LayerKind::Features),
            "logits" => Ok(LayerKind::Logits),
            "probs" => Ok(LayerKind::Probs),
            other => Err(format!(
                "unknown layer kind '{other}' (expected features, logits or probs)"
            )),
        }
    }
}

/// A logged layer: its name, width and meaning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Layer {
    pub name: String,
    pub dim: usize,
    pub kind: LayerKind,
}

/// One checkpoint and which layers were logged at it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Step {
    pub step: StepId,
    pub epoch: Option<f64>,
    pub wall_time: Option<f64>,
    /// Names of the layers stored at this step, in the catalog's layer order.
    pub layers: Vec<String>,
}

impl Step {
    pub fn has_layer(&self, name: &str) -> bool {
        self.layers.iter().any(|l| l == name)
    }
}

/// A small picture of an evaluation image, `u8` row-major with channels interleaved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub width: usize,
    pub height: usize,
    /// 1 (gray) or 3 (RGB).
    pub channels: usize,
    pub pixels: Vec<u8>,
}

impl Thumbnail {
    /// The colour of pixel (x, y) as RGB, gray expanded.
    pub fn rgb(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * self.channels;
        if self.channels == 1 {
            let v = self.pixels[i];
            [v, v, v]
        } else {
            [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
        }
    }
}

/// Everything small about a run, read eagerly when it is opened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    pub meta: BTreeMap<String, String>,
    /// Class names indexed by class id.
    pub classes: Vec<String>,
    /// True class of each image, indexed by image id.
    pub labels: Vec<ClassId>,
    /// Optional file name or dataset index of each image.
    pub image_names: Vec<Option<String>>,
    /// Optional split ('train', 'test', ...) of each image.
    pub splits: Vec<Option<String>>,
    pub layers: Vec<Layer>,
    /// Checkpoints in ascending step order.
    pub steps: Vec<Step>,
    /// Whether the thumbnails table has any rows.
    pub has_thumbnails: bool,
}

impl Catalog {
    pub fn num_images(&self) -> usize {
        self.labels.len()
    }

    pub fn num_classes(&self) -> usize {
        self.classes.len()
    }

    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }

    pub fn step(&self, step: StepId) -> Option<&Step> {
        self.steps
            .binary_search_by_key(&step, |s| s.step)
            .ok()
            .map(|i| &self.steps[i])
    }

    /// The run's name from `meta`, if the writer gave one.
    pub fn run_name(&self) -> Option<&str> {
        self.meta.get("name").map(String::as_str)
    }

    /// The layer predictions are read from: the logits layer, else a probabilities layer.
    pub fn prediction_layer(&self) -> Option<&Layer> {
        let scores = |kind| {
            self.layers
                .iter()
                .find(move |l| l.kind == kind && l.dim == self.classes.len())
        };
        scores(LayerKind::Logits).or_else(|| scores(LayerKind::Probs))
    }

    /// The first features layer, the natural default for projections.
    pub fn default_features_layer(&self) -> Option<&Layer> {
        self.layers
            .iter()
            .find(|l| l.kind == LayerKind::Features)
            .or_else(|| self.layers.first())
    }

    /// A readable list of the steps, for error messages ("0, 10, 25, ... 4000").
    pub fn describe_steps(&self) -> String {
        describe_list(self.steps.iter().map(|s| s.step.to_string()).collect())
    }

    /// A readable list of the layer names, for error messages.
    pub fn describe_layers(&self) -> String {
        describe_list(self.layers.iter().map(|l| l.name.clone()).collect())
    }
}

/// Joins names with commas, eliding the middle of long lists.
pub fn describe_list(items: Vec<String>) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    if items.len() <= 12 {
        return items.join(", ");
    }
    let head = items[..6].join(", ");
    let tail = items[items.len() - 3..].join(", ");
    format!("{head}, ... {tail} ({} in all)", items.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_elided_with_a_count() {
        let items: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        assert_eq!(
            describe_list(items),
            "0, 1, 2, 3, 4, 5, ... 17, 18, 19 (20 in all)"
        );
        assert_eq!(describe_list(vec![]), "none");
    }

    #[test]
    fn prediction_layer_prefers_logits_over_probs() {
        let mut c = Catalog {
            classes: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        c.layers.push(Layer {
            name: "p".into(),
            dim: 2,
            kind: LayerKind::Probs,
        });
        assert_eq!(c.prediction_layer().unwrap().name, "p");
        c.layers.push(Layer {
            name: "z".into(),
            dim: 2,
            kind: LayerKind::Logits,
        });
        assert_eq!(c.prediction_layer().unwrap().name, "z");
    }
}
