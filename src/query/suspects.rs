//! The suspected-label-error queue of a run, read through the store: what `deepscope
//! suspects` prints and what the viewer's Suspects view shows, from one function
//! ([`suspects`]). Only the class-score layer is read (never the features), one step at a
//! time, the next step read while the last is analysed.
//!
//! Dynamics cover the steps up to the one analysed, so `--step` asks "what was suspect as of
//! this step"; by default that is the last step, and so the whole of training.

use std::io;

use ndarray::Array2;
use serde::Serialize;

use super::error::{Error, Invalid, Result};
use super::marks::Marks;
use crate::analysis::suspects::confident::softmax_f64;
use crate::analysis::suspects::dynamics::{Dynamics, DynamicsBuilder};
use crate::analysis::suspects::{
    Method, RankBy, Ranked, StepEvidence, rank_combined, rank_confident, rank_dynamics,
    step_evidence,
};
use crate::model::{Catalog, ClassId, ImageId, Layer, LayerKind, StepId};
use crate::store::Store;

/// What to rank and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuspectOptions {
    /// Step of the confident-learning pass and last step of the dynamics (default: last).
    pub step: Option<StepId>,
    pub method: Method,
    /// Order of the confident-learning set (cleanlab's `rank_by`).
    pub rank_by: RankBy,
}

impl Default for SuspectOptions {
    fn default() -> Self {
        SuspectOptions {
            step: None,
            method: Method::Combined,
            rank_by: RankBy::SelfConfidence,
        }
    }
}

/// One image of the queue with everything known about it. Dynamics fields are `None` for
/// the confident method (it reads one step only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suspect {
    pub image: ImageId,
    pub name: Option<String>,
    pub given: ClassId,
    pub suggested: ClassId,
    /// In [0, 1], higher is more suspect; the queue is in descending order of it.
    pub score: f64,
    /// Whether confident learning flags the image at the step.
    pub confident: bool,
    /// p(given) at the step.
    pub self_confidence: f64,
    /// cleanlab's normalized margin at the step: (p(given) - largest other p + 1) / 2.
    pub normalized_margin: f64,
    pub p_given_mean: Option<f64>,
    pub p_given_sd: Option<f64>,
    pub aum: Option<f64>,
    pub forgetting_events: Option<usize>,
    pub learned_at: Option<StepId>,
}

/// The ranked queue and what it was computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct SuspectQueue {
    pub method: Method,
    pub rank_by: RankBy,
    pub step: StepId,
    pub layer: String,
    pub suspects: Vec<Suspect>,
    /// Confident learning's per-class thresholds at the step.
    pub thresholds: Vec<f64>,
    /// Calibrated confident joint at the step, `[given][true]`.
    pub confident_joint: Array2<i64>,
    /// Steps the dynamics cover (empty for the confident method).
    pub steps: Vec<StepId>,
    /// Steps x images: p(given) at each of `steps`.
    p_given: Array2<f32>,
}

impl SuspectQueue {
    /// p(given) of `image` at every step the dynamics cover; empty for the confident
    /// method (then [`p_given_over_training`] reads it).
    pub fn p_given_of(&self, image: ImageId) -> Vec<(StepId, f32)> {
        if (image as usize) >= self.p_given.ncols() {
            return Vec::new();
        }
        self.steps
            .iter()
            .copied()
            .zip(self.p_given.column(image as usize).iter().copied())
            .collect()
    }
}

/// p(given label) of one image at every step of the run; empty if it has no class scores.
pub fn p_given_over_training(store: &Store, image: ImageId) -> Result<Vec<(StepId, f32)>> {
    let count = store.catalog().num_images();
    if image as usize >= count {
        return Err(Error::input(
            store.path(),
            Invalid::NoImage { image, count },
        ));
    }
    let history = super::history::load_history(store, image)?;
    Ok(history.map_or_else(Vec::new, |h| h.steps.into_iter().zip(h.p_true).collect()))
}

/// The run's class-score layer and the step to analyse, checked.
fn resolve(store: &Store, step: Option<StepId>) -> Result<(Layer, StepId)> {
    let catalog = store.catalog();
    let layer = catalog
        .prediction_layer()
        .cloned()
        .ok_or_else(|| Error::input(store.path(), Invalid::NoPredictionLayer))?;
    let step = match step {
        Some(s) => s,
        None => catalog
            .steps
            .iter()
            .rev()
            .find(|s| s.has_layer(&layer.name))
            .map(|s| s.step)
            .ok_or_else(|| {
                Error::input(store.path(), Invalid::NoStepWithLayer(layer.name.clone()))
            })?,
    };
    store.check_available(step, &layer.name)?;
    Ok((layer, step))
}

/// Probabilities of one step's scores in f64 (softmax of logits, or as stored).
fn probabilities(scores: &Array2<f32>, kind: LayerKind) -> Array2<f64> {
    match kind {
        LayerKind::Probs => scores.mapv(f64::from),
        _ => softmax_f64(scores.view()),
    }
}

/// The dynamics of every image over the steps up to `last` that have `layer`. Steps are
/// read here while the previous one is analysed on another thread.
fn load_dynamics(store: &Store, layer: &Layer, last: StepId) -> Result<Dynamics> {
    let catalog = store.catalog();
    let steps: Vec<StepId> = catalog
        .steps
        .iter()
        .filter(|s| s.step <= last && s.has_layer(&layer.name))
        .map(|s| s.step)
        .collect();
    let mut builder = DynamicsBuilder::new(&catalog.labels, catalog.num_classes());
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<(StepId, Array2<f32>)>(1);
        let builder = &mut builder;
        let kind = layer.kind;
        let worker = scope.spawn(move || {
            for (step, scores) in receive {
                builder.add_step(step, scores.view(), kind);
            }
        });
        for &step in &steps {
            let scores = store.load(step, &layer.name)?;
            if send.send((step, scores)).is_err() {
                break;
            }
        }
        drop(send);
        // A panic in the analysis is a bug, not bad input: it goes on as the panic it was.
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok::<(), Error>(())
    })?;
    Ok(builder.finish())
}

/// The suspected-label-error queue of the run in `store`.
pub fn suspects(store: &Store, options: &SuspectOptions) -> Result<SuspectQueue> {
    let (layer, step) = resolve(store, options.step)?;
    let catalog = store.catalog();
    let labels = &catalog.labels;
    let probs = probabilities(&store.load(step, &layer.name)?, layer.kind);
    let evidence = step_evidence(probs.view(), labels);
    let dynamics = match options.method {
        Method::Confident => None,
        _ => Some(load_dynamics(store, &layer, step)?),
    };
    let ranked = match (&dynamics, options.method) {
        (Some(d), Method::Dynamics) => rank_dynamics(d),
        (Some(d), Method::Combined) => {
            rank_combined(&evidence, options.rank_by, probs.view(), d, labels)
        }
        _ => rank_confident(&evidence, options.rank_by),
    };
    let suspects = ranked
        .iter()
        .map(|r| describe(r, catalog, &evidence, dynamics.as_ref()))
        .collect();
    let (steps, p_given) = match dynamics {
        Some(d) => (d.steps, d.p_given),
        None => (Vec::new(), Array2::zeros((0, labels.len()))),
    };
    Ok(SuspectQueue {
        method: options.method,
        rank_by: options.rank_by,
        step,
        layer: layer.name,
        suspects,
        thresholds: evidence.confident.thresholds,
        confident_joint: evidence.confident.confident_joint,
        steps,
        p_given,
    })
}

/// Everything known about one ranked image.
fn describe(
    r: &Ranked,
    catalog: &Catalog,
    e: &StepEvidence,
    dynamics: Option<&Dynamics>,
) -> Suspect {
    let i = r.image;
    let d = dynamics.map(|d| &d.images[i]);
    Suspect {
        image: i as ImageId,
        name: catalog.image_names.get(i).cloned().flatten(),
        given: catalog.labels[i],
        suggested: r.suggested,
        score: r.score,
        confident: e.confident.issues[i],
        self_confidence: e.self_confidence[i],
        normalized_margin: e.normalized_margin[i],
        p_given_mean: d.map(|d| d.p_given_mean),
        p_given_sd: d.map(|d| d.p_given_sd),
        aum: d.map(|d| d.aum),
        forgetting_events: d.map(|d| d.forgetting_events),
        learned_at: d.and_then(|d| d.learned_at),
    }
}

/// The CSV export's columns, in `CsvRow`'s order.
pub const CSV_COLUMNS: [&str; 16] = [
    "rank",
    "image",
    "name",
    "given",
    "given_name",
    "suggested",
    "suggested_name",
    "score",
    "confident",
    "self_confidence",
    "normalized_margin",
    "p_given_mean",
    "aum",
    "forgetting_events",
    "learned_at",
    "mark",
];

/// One row of the CSV export.
#[derive(Serialize)]
struct CsvRow<'a> {
    rank: Option<usize>,
    image: ImageId,
    name: &'a str,
    given: ClassId,
    given_name: &'a str,
    suggested: Option<ClassId>,
    suggested_name: &'a str,
    score: Option<f64>,
    confident: Option<bool>,
    self_confidence: Option<f64>,
    normalized_margin: Option<f64>,
    p_given_mean: Option<f64>,
    aum: Option<f64>,
    forgetting_events: Option<usize>,
    learned_at: Option<StepId>,
    mark: &'a str,
}

/// Writes the queue as CSV (a header, then one row per suspect in rank order), with the
/// user's `marks`; marked images outside the queue follow with only their label and mark,
/// so every verdict is exported. Names from the run pass through `clean` (the caller's
/// escaping of control characters when the CSV goes to a terminal).
pub fn write_csv(
    out: &mut dyn io::Write,
    queue: &SuspectQueue,
    catalog: &Catalog,
    marks: &Marks,
    clean: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    let class = |c: ClassId| clean(catalog.classes.get(c as usize).map_or("?", String::as_str));
    let name = |i: ImageId| {
        clean(
            catalog
                .image_names
                .get(i as usize)
                .cloned()
                .flatten()
                .as_deref()
                .unwrap_or(""),
        )
    };
    let mark = |i: ImageId| marks.get(i).map_or("", |m| m.as_str());
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    // The header is written even for an empty queue, so the file always says what it holds.
    w.write_record(CSV_COLUMNS)?;
    for (rank, s) in queue.suspects.iter().enumerate() {
        let (n, g, sg) = (name(s.image), class(s.given), class(s.suggested));
        w.serialize(CsvRow {
            rank: Some(rank + 1),
            image: s.image,
            name: &n,
            given: s.given,
            given_name: &g,
            suggested: Some(s.suggested),
            suggested_name: &sg,
            score: Some(s.score),
            confident: Some(s.confident),
            self_confidence: Some(s.self_confidence),
            normalized_margin: Some(s.normalized_margin),
            p_given_mean: s.p_given_mean,
            aum: s.aum,
            forgetting_events: s.forgetting_events,
            learned_at: s.learned_at,
            mark: mark(s.image),
        })?;
    }
    let queued: std::collections::HashSet<ImageId> =
        queue.suspects.iter().map(|s| s.image).collect();
    for (image, m) in marks.iter() {
        let Some(&given) = catalog.labels.get(image as usize) else {
            continue; // a mark from an older, larger version of the run
        };
        if queued.contains(&image) {
            continue;
        }
        let (n, g) = (name(image), class(given));
        w.serialize(CsvRow {
            rank: None,
            image,
            name: &n,
            given,
            given_name: &g,
            suggested: None,
            suggested_name: "",
            score: None,
            confident: None,
            self_confidence: None,
            normalized_margin: None,
            p_given_mean: None,
            aum: None,
            forgetting_events: None,
            learned_at: None,
            mark: m.as_str(),
        })?;
    }
    w.flush()
}
