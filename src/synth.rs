//! Synthetic training runs with a known structure, for testing and benchmarking at the
//! sizes real users have without shipping gigabytes. Over the steps, the activations evolve
//! from noise into a class hierarchy: G super-classes of K/G classes each, and inside every
//! third class two sub-clusters (planes on the ground and in the sky). Logits read the
//! features against the class centres, so classes of one super-class are confused most.

use ndarray::{Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::model::{ClassId, LayerKind, Thumbnail};
use crate::store::{Result, Writer};

/// What to generate. Validated by `SynthParams::check`.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthParams {
    pub images: usize,
    pub classes: usize,
    pub dim: usize,
    pub steps: usize,
    pub superclasses: usize,
    pub seed: u64,
}

impl SynthParams {
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.images == 0 || self.classes < 2 || self.dim == 0 || self.steps == 0 {
            return Err("need at least 1 image, 2 classes, 1 dim and 1 step".into());
        }
        if self.superclasses == 0 || self.superclasses > self.classes {
            return Err(format!("superclasses must be in 1..={}", self.classes));
        }
        Ok(())
    }

    /// The super-class of each class: consecutive blocks of K/G classes.
    pub fn superclass_of(&self) -> Vec<usize> {
        let per = self.classes.div_ceil(self.superclasses);
        (0..self.classes)
            .map(|c| (c / per).min(self.superclasses - 1))
            .collect()
    }
}

/// Dimensions of the latent space the class structure lives in. The layer's `dim` values
/// are a fixed random embedding of it plus noise, so confusions do not vanish as dim grows.
const LATENT: usize = 8;

/// The fixed structure of a run: labels, class centres, sub-cluster offsets, embedding.
struct World {
    labels: Vec<ClassId>,
    /// Which sub-cluster each image belongs to (0 or 1; only some classes have two).
    sub: Vec<usize>,
    /// K x LATENT class centres, and 2K x LATENT sub-cluster centres.
    centres: Array2<f32>,
    sub_centres: Array2<f32>,
    /// LATENT x dim embedding of the latent space into the layer.
    embed: Array2<f32>,
}

fn normal(rng: &mut Xoshiro256PlusPlus) -> f32 {
    StandardNormal.sample(rng)
}

fn world(p: &SynthParams) -> World {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed);
    let superclass = p.superclass_of();
    let super_centres = Array2::from_shape_fn((p.superclasses, LATENT), |_| 8.0 * normal(&mut rng));
    let centres = Array2::from_shape_fn((p.classes, LATENT), |(c, j)| {
        super_centres[[superclass[c], j]] + 1.6 * normal(&mut rng)
    });
    let sub_centres = Array2::from_shape_fn((2 * p.classes, LATENT), |(s, j)| {
        let (c, which) = (s / 2, s % 2);
        let split = if c % 3 == 0 { 1.2 } else { 0.0 };
        centres[[c, j]] + split * if which == 0 { 1.0 } else { -1.0 } * normal(&mut rng).abs()
    });
    let embed = Array2::from_shape_fn((LATENT, p.dim), |_| {
        normal(&mut rng) / (LATENT as f32).sqrt()
    });
    let labels = (0..p.images)
        .map(|_| rng.gen_range(0..p.classes) as ClassId)
        .collect();
    let sub = (0..p.images).map(|_| rng.gen_range(0..2)).collect();
    World {
        labels,
        sub,
        centres,
        sub_centres,
        embed,
    }
}

/// How far training has gone at step index `s` of `n`: fast at first, slower later.
fn progress(s: usize, n: usize) -> f32 {
    let t = if n > 1 {
        s as f32 / (n - 1) as f32
    } else {
        1.0
    };
    1.0 - (-4.0 * t).exp()
}

/// Latent positions at one step: each image moves from its own noise towards its
/// sub-cluster. The noise is drawn from the same seed at every step, so images move smoothly.
fn latent(p: &SynthParams, w: &World, s: usize) -> Array2<f32> {
    let a = progress(s, p.steps);
    let mut z = Array2::<f32>::zeros((p.images, LATENT));
    z.axis_chunks_iter_mut(Axis(0), 1024)
        .into_par_iter()
        .enumerate()
        .for_each(|(b, mut block)| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed ^ 0x9e37_79b9 ^ b as u64);
            for (r, mut row) in block.rows_mut().into_iter().enumerate() {
                let i = b * 1024 + r;
                let centre = w.sub_centres.row(2 * w.labels[i] as usize + w.sub[i]);
                for (v, &c) in row.iter_mut().zip(centre) {
                    *v = a * c + (1.8 - a) * 1.6 * normal(&mut rng);
                }
            }
        });
    z
}

/// The layer's activations: the latent positions embedded, plus a little isotropic noise.
fn features(p: &SynthParams, w: &World, z: ArrayView2<f32>, s: usize) -> Array2<f32> {
    let mut x = z.dot(&w.embed);
    x.axis_chunks_iter_mut(Axis(0), 1024)
        .into_par_iter()
        .enumerate()
        .for_each(|(b, mut block)| {
            let mut rng =
                Xoshiro256PlusPlus::seed_from_u64(p.seed ^ 0x51ed ^ ((s as u64) << 32) ^ b as u64);
            block.iter_mut().for_each(|v| *v += 0.1 * normal(&mut rng));
        });
    x
}

/// Logits: closeness of the latent position to each class centre, sharper as training goes.
fn logits(p: &SynthParams, w: &World, x: ArrayView2<f32>, s: usize) -> Array2<f32> {
    let scale = 0.1 + 0.9 * progress(s, p.steps);
    let half_norms: Vec<f32> = w
        .centres
        .rows()
        .into_iter()
        .map(|c| c.dot(&c) / 2.0)
        .collect();
    let mut l = crate::analysis::kernels::dot_t(x, w.centres.view());
    for mut row in l.rows_mut() {
        for (v, h) in row.iter_mut().zip(&half_norms) {
            *v = (*v - h) * scale;
        }
    }
    l
}

/// A 16x16 RGB picture per image: its class's colour, its super-class's stripes, noise.
fn thumbnails(p: &SynthParams, w: &World) -> Vec<Thumbnail> {
    let superclass = p.superclass_of();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed ^ 0x7475);
    (0..p.images)
        .map(|i| {
            let c = w.labels[i] as usize;
            let hue = c as f32 / p.classes as f32;
            let angle = hue * std::f32::consts::TAU;
            let base = [0.0f32, 2.1, 4.2].map(|phase| (angle + phase).sin() * 100.0 + 128.0);
            let mut pixels = Vec::with_capacity(16 * 16 * 3);
            for y in 0..16 {
                for _ in 0..16 {
                    let stripe = if (y / 2) % (superclass[c] + 2) == 0 { 60.0 } else { 0.0 };
                    for b in base {
                        pixels.push((b - stripe + rng.gen_range(-20.0..20.0)).clamp(0.0, 255.0) as u8);
                    }
                }
            }
            Thumbnail { width: 16, height: 16, channels: 3, pixels }
        })
        .collect()
}

/// Flips `fraction` of `labels` (rounded to whole images), each to a class drawn uniformly
/// among the others. Returns the given labels and the ids flipped, ascending. Its own random
/// stream: the same seed flips the same images whatever else the run holds.
pub fn flip_labels(
    labels: &[ClassId],
    classes: usize,
    fraction: f64,
    seed: u64,
) -> (Vec<ClassId>, Vec<usize>) {
    let mut given = labels.to_vec();
    let count =
        ((fraction.clamp(0.0, 1.0) * labels.len() as f64).round() as usize).min(labels.len());
    if classes < 2 || count == 0 {
        return (given, Vec::new());
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x6c61_6265_6c73);
    let mut flipped = rand::seq::index::sample(&mut rng, labels.len(), count).into_vec();
    flipped.sort_unstable();
    for &i in &flipped {
        let other = rng.gen_range(0..classes - 1) as ClassId;
        given[i] = if other >= labels[i] { other + 1 } else { other };
    }
    (given, flipped)
}

/// Writes a synthetic run to `writer`, one step at a time (never all steps in memory);
/// `on_step` is told after each step is written.
pub fn write(p: &SynthParams, writer: &mut Writer, on_step: impl FnMut(usize)) -> Result<()> {
    write_with_label_noise(p, 0.0, writer, on_step)
}

/// [`write()`], with `label_noise` (0..=1) of the labels flipped by [`flip_labels`]: the
/// pictures and activations follow the true class, the stored label is wrong, and the
/// flipped image ids are kept in the meta key `flipped_labels` (a JSON list) when any is.
pub fn write_with_label_noise(
    p: &SynthParams,
    label_noise: f64,
    writer: &mut Writer,
    mut on_step: impl FnMut(usize),
) -> Result<()> {
    let w = world(p);
    let (given, flipped) = flip_labels(&w.labels, p.classes, label_noise, p.seed);
    let names: Vec<String> = (0..p.classes)
        .map(|c| format!("s{}c{c}", p.superclass_of()[c]))
        .collect();
    writer.add_classes(&names)?;
    writer.add_images(&given, None, Some("synthetic"))?;
    if label_noise > 0.0 {
        let ids: Vec<String> = flipped.iter().map(usize::to_string).collect();
        writer.set_meta("flipped_labels", &format!("[{}]", ids.join(",")))?;
    }
    writer.add_thumbnails(&thumbnails(p, &w))?;
    let map: Vec<String> = p.superclass_of().iter().map(|g| g.to_string()).collect();
    writer.set_meta(
        "name",
        &format!(
            "synthetic {}x{} K={} G={}",
            p.images, p.dim, p.classes, p.superclasses
        ),
    )?;
    writer.set_meta("superclass_of_class", &map.join(","))?;
    writer.add_layer("features", p.dim, LayerKind::Features)?;
    writer.add_layer("logits", p.classes, LayerKind::Logits)?;
    // Compute step s+1 while step s is written, so the disk never waits for arithmetic.
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        let w = &w;
        scope.spawn(move || {
            for s in 0..p.steps {
                let z = latent(p, w, s);
                let x = features(p, w, z.view(), s);
                let l = logits(p, w, z.view(), s);
                if send.send((s, x, l)).is_err() {
                    break; // the writer failed and stopped listening
                }
            }
        });
        for (s, x, l) in receive {
            let step = (s * 100) as i64;
            writer.add_step(
                step,
                Some(s as f64),
                None,
                &[("features", x.view()), ("logits", l.view())],
            )?;
            on_step(s);
        }
        Ok(())
    })
}
