//! Trains a small MLP (784-64-10, ReLU, softmax cross-entropy, SGD with momentum) on 8,000
//! MNIST digits and logs the 2,000 held-out digits to a deepscope stats database at 16
//! checkpoints, most of them early, where the representation changes fastest.
//!
//! Usage: cargo run --release --example train_mnist -- [DATA_DIR] [OUTPUT] [--force]
//!   DATA_DIR  holds mnist10k-images-idx3-ubyte.gz and mnist10k-labels-idx1-ubyte.gz
//!             (default ../shared/data)
//!   OUTPUT    the stats database to create (default sample_data/mnist.sqlite)
//!   --force   replace OUTPUT if it exists
//!
//! The run is deterministic: a seeded RNG, single-threaded ndarray products and no wall
//! times, so the same binary on the same machine writes a byte-identical file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use deepscope::analysis::predict::{accuracy, predict};
use deepscope::idx::read_idx_u8;
use deepscope::model::{ClassId, LayerKind, Thumbnail};
use deepscope::store::Writer;
use ndarray::{Array1, Array2, ArrayView2, Axis, s};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;

const IMAGES_FILE: &str = "mnist10k-images-idx3-ubyte.gz";
const LABELS_FILE: &str = "mnist10k-labels-idx1-ubyte.gz";
const SIDE: usize = 28;
const PIXELS: usize = SIDE * SIDE;
const TRAIN_COUNT: usize = 8_000;
const HELD_OUT_COUNT: usize = 2_000;
const HIDDEN: usize = 64;
const CLASSES: usize = 10;

const SEED: u64 = 20_151_124;
const BATCH: usize = 32;
const LEARNING_RATE: f32 = 0.05;
const MOMENTUM: f32 = 0.9;
/// Iterations (minibatches seen) at which the held-out digits are logged. Dense early on,
/// where the hidden layer reorganises fastest, then evenly spaced.
const CHECKPOINTS: [usize; 16] = [
    0, 10, 25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 6000,
];

const FEATURES_LAYER: &str = "fc64";
const LOGITS_LAYER: &str = "logits";

/// Store errors already name the file; so do the messages built here.
type BoxError = Box<dyn std::error::Error>;

struct Options {
    data_dir: PathBuf,
    output: PathBuf,
    force: bool,
}

/// MNIST digits as the trainer sees them: pixels scaled to [0, 1], one row per image.
struct Digits {
    pixels: Array2<f32>,
    raw: Vec<u8>,
    labels: Vec<ClassId>,
}

/// The network's parameters, or (same shapes) their momentum buffers or gradients.
struct Mlp {
    w1: Array2<f32>,
    b1: Array1<f32>,
    w2: Array2<f32>,
    b2: Array1<f32>,
}

/// What the forward pass produced for a batch.
struct Forward {
    hidden: Array2<f32>,
    logits: Array2<f32>,
}

fn main() {
    if let Err(message) = run() {
        eprintln!("train_mnist: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), BoxError> {
    let Some(options) = parse_args(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let digits = load_digits(&options.data_dir)?;
    let mut writer = create_output(&options, &digits)?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
    let mut model = Mlp::initialised(&mut rng);
    let mut velocity = Mlp::zeros();
    let train = digits.pixels.slice(s![..TRAIN_COUNT, ..]);
    let train_labels = &digits.labels[..TRAIN_COUNT];
    let held_out = digits.pixels.slice(s![TRAIN_COUNT.., ..]);
    let held_out_labels = &digits.labels[TRAIN_COUNT..];

    let started = Instant::now();
    let mut batches = BatchOrder::new(TRAIN_COUNT);
    let mut iteration = 0;
    for &checkpoint in &CHECKPOINTS {
        while iteration < checkpoint {
            let batch = batches.next(&mut rng);
            let x = train.select(Axis(0), batch);
            let y: Vec<ClassId> = batch.iter().map(|&i| train_labels[i]).collect();
            let gradient = model.gradient(x.view(), &y);
            model.descend(&mut velocity, &gradient);
            iteration += 1;
        }
        let acc = log_checkpoint(&mut writer, &model, held_out, held_out_labels, iteration)?;
        println!(
            "iteration {iteration:>5}  epoch {:>6.2}  held-out accuracy {:.4}  ({:.1} s)",
            epoch(iteration),
            acc,
            started.elapsed().as_secs_f64()
        );
    }
    writer.finish()?;
    println!("wrote {}", options.output.display());
    Ok(())
}

const USAGE: &str =
    "usage: train_mnist [DATA_DIR (../shared/data)] [OUTPUT (sample_data/mnist.sqlite)] [--force]";

/// The options, or None when help was asked for.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut positional = Vec::new();
    let mut force = false;
    for arg in args {
        match arg.as_str() {
            "--force" => force = true,
            "-h" | "--help" => return Ok(None),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option '{flag}'\n{USAGE}"));
            }
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    if positional.len() > 2 {
        return Err(format!(
            "expected at most 2 paths, got {}",
            positional.len()
        ));
    }
    let mut positional = positional.into_iter();
    Ok(Some(Options {
        data_dir: positional.next().unwrap_or_else(|| "../shared/data".into()),
        output: positional
            .next()
            .unwrap_or_else(|| "sample_data/mnist.sqlite".into()),
        force,
    }))
}

fn load_digits(dir: &Path) -> Result<Digits, String> {
    let images = read_idx_u8(&dir.join(IMAGES_FILE))?;
    let labels_path = dir.join(LABELS_FILE);
    let labels = read_idx_u8(&labels_path)?;
    let needed = TRAIN_COUNT + HELD_OUT_COUNT;
    if images.dims.len() != 3 || images.dims[1..] != [SIDE, SIDE] || images.dims[0] < needed {
        return Err(format!(
            "{}: expected at least {needed} images of {SIDE}x{SIDE}, found dimensions {:?}",
            dir.join(IMAGES_FILE).display(),
            images.dims
        ));
    }
    if labels.dims.len() != 1 || labels.dims[0] < needed {
        return Err(format!(
            "{}: expected at least {needed} labels, found dimensions {:?}",
            labels_path.display(),
            labels.dims
        ));
    }
    if let Some(bad) = labels.data[..needed]
        .iter()
        .find(|&&l| l as usize >= CLASSES)
    {
        return Err(format!(
            "{}: label {bad} is not a digit",
            labels_path.display()
        ));
    }
    let raw = images.data[..needed * PIXELS].to_vec();
    let pixels = Array2::from_shape_vec(
        (needed, PIXELS),
        raw.iter().map(|&p| f32::from(p) / 255.0).collect(),
    )
    .map_err(|e| e.to_string())?;
    let labels = labels.data[..needed]
        .iter()
        .map(|&l| ClassId::from(l))
        .collect();
    Ok(Digits {
        pixels,
        raw,
        labels,
    })
}

/// Creates the database and writes everything but the checkpoints: classes, the held-out
/// images with their labels and thumbnails, the two layers and the run's description.
fn create_output(options: &Options, digits: &Digits) -> Result<Writer, BoxError> {
    let output = &options.output;
    if output.exists() {
        if !options.force {
            return Err(format!(
                "{}: file already exists (remove it or pass --force)",
                output.display()
            )
            .into());
        }
        remove_database(output)?;
    }
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let mut writer = Writer::create(output)?;
    let classes: Vec<String> = (0..CLASSES).map(|c| c.to_string()).collect();
    writer.add_classes(&classes)?;
    let held_out = TRAIN_COUNT..TRAIN_COUNT + HELD_OUT_COUNT;
    let names: Vec<String> = held_out.clone().map(|i| format!("mnist-{i}")).collect();
    writer.add_images(&digits.labels[held_out.clone()], Some(&names), Some("test"))?;
    let thumbnails: Vec<Thumbnail> = held_out
        .map(|i| Thumbnail {
            width: SIDE,
            height: SIDE,
            channels: 1,
            pixels: digits.raw[i * PIXELS..(i + 1) * PIXELS].to_vec(),
        })
        .collect();
    writer.add_thumbnails(&thumbnails)?;
    writer.add_layer(FEATURES_LAYER, HIDDEN, LayerKind::Features)?;
    writer.add_layer(LOGITS_LAYER, CLASSES, LayerKind::Logits)?;
    writer.set_meta("name", "mnist-mlp")?;
    writer.set_meta(
        "dataset",
        "MNIST (10,000-digit sample): first 8,000 trained on, 8,000..9,999 logged",
    )?;
    let notes = format!(
        "784-{HIDDEN}-{CLASSES} MLP, ReLU, softmax cross-entropy; SGD lr {LEARNING_RATE} momentum \
         {MOMENTUM}, batch {BATCH}, seed {SEED}; step = iteration; written by examples/train_mnist.rs"
    );
    writer.set_meta("notes", &notes)?;
    Ok(writer)
}

/// Removes a database and the WAL files SQLite may have left beside it.
fn remove_database(path: &Path) -> Result<(), String> {
    std::fs::remove_file(path).map_err(|e| format!("{}: cannot remove: {e}", path.display()))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            std::fs::remove_file(&side)
                .map_err(|e| format!("{}: cannot remove: {e}", side.display()))?;
        }
    }
    Ok(())
}

/// Runs the held-out digits through the model, stores both layers, returns the accuracy.
fn log_checkpoint(
    writer: &mut Writer,
    model: &Mlp,
    held_out: ArrayView2<f32>,
    labels: &[ClassId],
    iteration: usize,
) -> Result<f64, BoxError> {
    let out = model.forward(held_out);
    writer.add_step(
        iteration as i64,
        Some(epoch(iteration)),
        None,
        &[
            (FEATURES_LAYER, out.hidden.view()),
            (LOGITS_LAYER, out.logits.view()),
        ],
    )?;
    Ok(accuracy(
        &predict(out.logits.view(), LayerKind::Logits),
        labels,
    ))
}

/// Visits the training set in a fresh random order every epoch, one minibatch at a time.
struct BatchOrder {
    order: Vec<usize>,
    cursor: usize,
}

impl BatchOrder {
    fn new(count: usize) -> BatchOrder {
        // The cursor starts past the end so the first batch triggers a shuffle.
        BatchOrder {
            order: (0..count).collect(),
            cursor: count,
        }
    }

    fn next(&mut self, rng: &mut Xoshiro256PlusPlus) -> &[usize] {
        if self.cursor + BATCH > self.order.len() {
            self.order.shuffle(rng);
            self.cursor = 0;
        }
        self.cursor += BATCH;
        &self.order[self.cursor - BATCH..self.cursor]
    }
}

fn epoch(iteration: usize) -> f64 {
    (iteration * BATCH) as f64 / TRAIN_COUNT as f64
}

impl Mlp {
    /// He initialisation for the ReLU layer, Xavier (Glorot) for the linear output layer;
    /// biases start at zero.
    fn initialised(rng: &mut Xoshiro256PlusPlus) -> Mlp {
        Mlp {
            w1: random_normal(PIXELS, HIDDEN, (2.0 / PIXELS as f32).sqrt(), rng),
            b1: Array1::zeros(HIDDEN),
            w2: random_normal(
                HIDDEN,
                CLASSES,
                (2.0 / (HIDDEN + CLASSES) as f32).sqrt(),
                rng,
            ),
            b2: Array1::zeros(CLASSES),
        }
    }

    fn zeros() -> Mlp {
        Mlp {
            w1: Array2::zeros((PIXELS, HIDDEN)),
            b1: Array1::zeros(HIDDEN),
            w2: Array2::zeros((HIDDEN, CLASSES)),
            b2: Array1::zeros(CLASSES),
        }
    }

    fn forward(&self, x: ArrayView2<f32>) -> Forward {
        let hidden = (x.dot(&self.w1) + &self.b1).mapv_into(|v| v.max(0.0));
        let logits = hidden.dot(&self.w2) + &self.b2;
        Forward { hidden, logits }
    }

    /// Gradient of the mean softmax cross-entropy over the batch, by backpropagation.
    fn gradient(&self, x: ArrayView2<f32>, labels: &[ClassId]) -> Mlp {
        let out = self.forward(x);
        let n = x.nrows() as f32;
        // d(loss)/d(logits) = (softmax - one_hot) / n
        let mut d_logits = softmax_rows(out.logits.view());
        for (mut row, &label) in d_logits.axis_iter_mut(Axis(0)).zip(labels) {
            row[label as usize] -= 1.0;
        }
        d_logits /= n;
        let mut d_hidden = d_logits.dot(&self.w2.t());
        d_hidden.zip_mut_with(&out.hidden, |d, &h| {
            if h <= 0.0 {
                *d = 0.0;
            }
        });
        Mlp {
            w1: x.t().dot(&d_hidden),
            b1: d_hidden.sum_axis(Axis(0)),
            w2: out.hidden.t().dot(&d_logits),
            b2: d_logits.sum_axis(Axis(0)),
        }
    }

    /// One step of SGD with (heavy-ball) momentum: v = m v - lr g; w += v.
    fn descend(&mut self, velocity: &mut Mlp, gradient: &Mlp) {
        fn update<D: ndarray::Dimension>(
            w: &mut ndarray::Array<f32, D>,
            v: &mut ndarray::Array<f32, D>,
            g: &ndarray::Array<f32, D>,
        ) {
            v.zip_mut_with(g, |v, &g| *v = MOMENTUM * *v - LEARNING_RATE * g);
            *w += &*v;
        }
        update(&mut self.w1, &mut velocity.w1, &gradient.w1);
        update(&mut self.b1, &mut velocity.b1, &gradient.b1);
        update(&mut self.w2, &mut velocity.w2, &gradient.w2);
        update(&mut self.b2, &mut velocity.b2, &gradient.b2);
    }
}

fn random_normal(rows: usize, cols: usize, std: f32, rng: &mut Xoshiro256PlusPlus) -> Array2<f32> {
    let normal = Normal::new(0.0, std).expect("a positive, finite standard deviation");
    Array2::from_shape_simple_fn((rows, cols), || normal.sample(rng))
}

/// Row-wise softmax, shifted by each row's maximum so large logits cannot overflow.
fn softmax_rows(logits: ArrayView2<f32>) -> Array2<f32> {
    let mut probs = logits.to_owned();
    for mut row in probs.axis_iter_mut(Axis(0)) {
        let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        row /= sum;
    }
    probs
}
