//! The recipes of docs/recipes.md run as written, with the stand-ins of tests/pyhelp/standins.py
//! where a framework is not installed, and write runs the store reads back: the images in
//! order, tensors that require grad, live on a GPU or hold bfloat16 taken as float32, NCHW and
//! normalised pictures turned into visible thumbnails (issue 16).

mod pyhelp;

use std::path::Path;

use deepscope::store::Store;
use ndarray::{Array2, ArrayD};
use pyhelp::{available, python_ok};

/// The code block of docs/recipes.md whose first line is `# recipe: NAME`.
fn recipe(name: &str) -> String {
    let doc = include_str!("../docs/recipes.md");
    let header = format!("```python\n# recipe: {name}\n");
    let start = doc
        .find(&header)
        .unwrap_or_else(|| panic!("no recipe {name}"))
        + 10;
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

/// Evaluation data the recipes expect in scope: 21 images of 8 x 8 in batches of 8, their
/// pixels in [0, 1] normalised as MNIST's loaders do, a stand-in network (bfloat16 outputs
/// on "cuda:0" that require grad outside no_grad), and the values each layer should have.
const SETUP: &str = r#"
sys.path.insert(0, "STANDINS")
import standins
from standins import Tensor, Net
rng = np.random.default_rng(0)
N, B = 21, 8
raw = rng.random((N, 1, 8, 8)).astype(np.float32)
x_all = (raw - 0.1307) / 0.3081
y_all = rng.integers(0, 10, N)
val_loader = [(Tensor(x_all[i:i + B]), Tensor(y_all[i:i + B])) for i in range(0, N, B)]
model = Net(64, 16, 10)
classes = [str(d) for d in range(10)]
def expect(**arrays):
    for name, a in arrays.items():
        np.save(f"expected_{name}.npy", np.asarray(a, dtype=np.float32))
fc1, logits = model.reference(x_all)
expect(fc1=fc1, logits=logits, thumbnails=raw.transpose(0, 2, 3, 1) * 255)
"#;

fn run_recipe(driver: &str, dir: &Path) {
    let standins = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pyhelp");
    let script = format!(
        "import sys\n{}\n{driver}",
        SETUP.replace("STANDINS", standins)
    );
    python_ok(&script, dir);
}

fn expected(dir: &Path, name: &str) -> ArrayD<f32> {
    ndarray_npy::read_npy(dir.join(format!("expected_{name}.npy"))).unwrap()
}

/// The run is valid, has `steps`, and every step's `layers` hold the expected values.
fn assert_run(dir: &Path, file: &str, steps: &[i64], layers: &[(&str, &str)]) {
    let path = dir.join(file);
    let report = deepscope::store::check(&path).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let store = Store::open(&path).unwrap();
    let got: Vec<i64> = store.catalog().steps.iter().map(|s| s.step).collect();
    assert_eq!(got, steps, "{file}");
    for &(layer, expectation) in layers {
        let want = expected(dir, expectation);
        let want = want.to_shape((21, want.len() / 21)).unwrap();
        for &step in steps {
            let values: Array2<f32> = store.load(step, layer).unwrap();
            let error = (&values - &want)
                .mapv(f32::abs)
                .fold(0f32, |m, &d| m.max(d));
            let scale = want.mapv(f32::abs).fold(0f32, |m, &d| m.max(d));
            // bfloat16 keeps 8 bits of mantissa: batches and one big product may round apart.
            assert!(
                error <= scale * 0.02,
                "{file} {layer} step {step}: off by {error}"
            );
        }
    }
}

/// Thumbnails are the pictures before normalisation, within one grey level.
fn assert_thumbnails(dir: &Path, file: &str, name: &str) {
    let store = Store::open(dir.join(file)).unwrap();
    let want = expected(dir, name);
    let channels = want.shape()[3];
    for image in 0..21u32 {
        let thumb = store.thumbnail(image).unwrap().unwrap();
        assert_eq!(
            (thumb.width, thumb.height, thumb.channels),
            (8, 8, channels)
        );
        for (i, &p) in thumb.pixels.iter().enumerate() {
            let w = want.as_slice().unwrap()[image as usize * 64 * channels + i];
            assert!(
                (p as f32 - w).abs() <= 1.0,
                "{file} image {image} pixel {i}: {p} vs {w}"
            );
        }
    }
}

#[test]
fn the_pytorch_recipe_logs_hooked_features_under_no_grad() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let driver = format!(
        "{}\nepochs = 2\ntrain_loader = [(None, None)] * 101\n\
         def train_step(model, x, y): pass\n{}\n\
         assert model.training and not model.fc1._hooks, 'the model is put back as it was'\n",
        recipe("pytorch"),
        recipe("pytorch-loop")
    );
    run_recipe(&driver, dir.path());
    let f = "mnist-cnn.sqlite";
    assert_run(
        dir.path(),
        f,
        &[0, 100, 200],
        &[("fc1", "fc1"), ("logits", "logits")],
    );
    assert_thumbnails(dir.path(), f, "thumbnails");
}

#[test]
fn the_lightning_callback_logs_once_per_step_on_rank_zero() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let driver = format!(
        "{}\n{}\nfrom types import SimpleNamespace\n\
         trainer = SimpleNamespace(sanity_checking=True, is_global_zero=True, global_step=0, current_epoch=0)\n\
         callback.on_validation_epoch_end(trainer, model)\n\
         trainer.sanity_checking = False\n\
         for step, epoch in [(0, 0), (50, 1), (50, 1), (100, 2)]:\n    \
             trainer.global_step, trainer.current_epoch = step, epoch\n    \
             callback.on_validation_epoch_end(trainer, model)\n\
         trainer.is_global_zero, trainer.global_step = False, 200\n\
         callback.on_validation_epoch_end(trainer, model)\n\
         callback.on_fit_end(trainer, model)\n",
        recipe("pytorch"),
        recipe("lightning")
    );
    run_recipe(&driver, dir.path());
    let f = "lightning.sqlite";
    assert_run(
        dir.path(),
        f,
        &[0, 50, 100],
        &[("fc1", "fc1"), ("logits", "logits")],
    );
    assert_thumbnails(dir.path(), f, "thumbnails");
}

#[test]
fn the_keras_callback_logs_a_layer_and_the_predictions_each_epoch() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let driver = format!(
        "x_val, y_val = raw.transpose(0, 2, 3, 1), y_all   # N x H x W x 1 in [0, 1]\n{}\n\
         callback.model = standins.keras_classifier(64, 16, 10)\n\
         for epoch in range(3):\n    callback.on_epoch_end(epoch)\n\
         callback.on_train_end()\n\
         expect(dense=callback.model.get_layer('dense').output.compute(x_val),\n       \
                probs=callback.model.outputs[0].compute(x_val))\n",
        recipe("keras")
    );
    run_recipe(&driver, dir.path());
    let f = "keras.sqlite";
    assert_run(
        dir.path(),
        f,
        &[0, 1, 2],
        &[("dense", "dense"), ("probs", "probs")],
    );
    assert_thumbnails(dir.path(), f, "thumbnails");
}

#[test]
fn the_hugging_face_callback_logs_the_cls_token_and_logits() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let driver = format!(
        "rgb = rng.random((N, 3, 8, 8)).astype(np.float32)\n\
         eval_batches = [{{'pixel_values': Tensor((rgb[i:i + B] - 0.5) / 0.5), 'labels': Tensor(y_all[i:i + B])}}\n                 \
                         for i in range(0, N, B)]\n\
         net = Net(192, 16, 10)\nhf = standins.HfClassifier(net)\n{}\n\
         from types import SimpleNamespace\n\
         for step in (10, 10, 20):\n    \
             state = SimpleNamespace(is_world_process_zero=True, global_step=step, epoch=step / 20)\n    \
             callback.on_evaluate(None, state, None, model=hf)\n\
         callback.on_train_end(None, state, None)\n\
         assert hf.training\n\
         cls, logits = net.reference((rgb - 0.5) / 0.5)\n\
         expect(cls=cls, logits=logits, rgb=rgb.transpose(0, 2, 3, 1) * 255)\n",
        recipe("huggingface")
    );
    run_recipe(&driver, dir.path());
    let f = "hf.sqlite";
    assert_run(
        dir.path(),
        f,
        &[10, 20],
        &[("cls", "cls"), ("logits", "logits")],
    );
    assert_thumbnails(dir.path(), f, "rgb");
}

#[test]
fn the_distributed_recipe_puts_the_shards_back_in_image_order() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A DistributedSampler over 21 images and 2 ranks: round-robin, padded with image 0.
    let driver = format!(
        "{}\n\
         padded = list(range(N)) + [0]\n\
         shard = {{r: padded[r::2] for r in (0, 1)}}\n\
         def loader_of(ids):\n    \
             return [(Tensor(x_all[ids[i:i + B]]), None) for i in range(0, len(ids), B)]\n\
         val_sampler, val_loader, penultimate = shard[0], loader_of(shard[0]), model.fc1\n\
         import torch\n\
         standins.Distributed.other_rank = lambda: (np.array(shard[1]), *[\n    \
             torch.cat(t).float().cpu().numpy() for t in evaluate(model, model.fc1, loader_of(shard[1]))])\n\
         val_labels, checkpoints = y_all, [0, 10]\n{}\n",
        recipe("pytorch"),
        recipe("distributed")
    );
    run_recipe(&driver, dir.path());
    assert_run(
        dir.path(),
        "ddp.sqlite",
        &[0, 10],
        &[("fc1", "fc1"), ("logits", "logits")],
    );
}
