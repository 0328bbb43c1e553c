//! The logger takes what training code holds (issue 16): tensors that require grad, live on a
//! GPU or hold bfloat16 (a stand-in behaving as torch's does), per-batch lists, NCHW pictures
//! and float pictures in any range, stored so that the viewer shows them; pictures, labels and
//! class names it cannot store are refused before any file exists (issue 14).

mod pyhelp;

use deepscope::store::Store;
use pyhelp::{available, python, python_ok};

const STANDINS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pyhelp");

#[test]
fn tensors_as_a_training_loop_holds_them_are_stored_as_float32() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "sys.path.insert(0, {STANDINS:?})\nfrom standins import Tensor, bfloat16\n\
         rng = np.random.default_rng(1)\n\
         x = rng.normal(size=(6, 4)).astype(np.float32)\n\
         grad = Tensor(x, requires_grad=True, device='cuda:0')\n\
         bf = Tensor(bfloat16(x), requires_grad=True, device='cuda:0', dtype='torch.bfloat16')\n\
         half = Tensor(x.astype(np.float16))\n\
         for t in (grad, bf):\n    \
             try:\n        np.asarray(t); raise SystemExit('the stand-in converted')\n    \
             except (RuntimeError, TypeError):\n        pass\n\
         batches = [Tensor(x[:4], requires_grad=True), Tensor(x[4:], requires_grad=True)]\n\
         labels = [Tensor(np.array([0, 1, 2, 0])), Tensor(np.array([1, 2]))]\n\
         with Run('run.sqlite', classes=['a', 'b', 'c'], labels=labels) as log:\n    \
             log.step(0, grad=grad, bf=bf, half=half, batches=batches, conv=Tensor(x.reshape(6, 2, 2)))\n\
         np.save('x.npy', x); np.save('bf.npy', bfloat16(x)); np.save('half.npy', x.astype(np.float16).astype(np.float32))\n"
    );
    python_ok(&script, dir.path());
    let store = Store::open(dir.path().join("run.sqlite")).unwrap();
    let read = |name: &str| -> ndarray::Array2<f32> {
        ndarray_npy::read_npy(dir.path().join(format!("{name}.npy"))).unwrap()
    };
    assert_eq!(store.load(0, "grad").unwrap(), read("x"));
    assert_eq!(store.load(0, "batches").unwrap(), read("x"));
    assert_eq!(store.load(0, "conv").unwrap(), read("x"));
    assert_eq!(store.load(0, "bf").unwrap(), read("bf"));
    assert_eq!(store.load(0, "half").unwrap(), read("half"));
    let labels: Vec<u32> = (0..6).map(|i| store.catalog().labels[i]).collect();
    assert_eq!(labels, vec![0, 1, 2, 0, 1, 2]);
}

#[test]
fn per_batch_pieces_that_do_not_add_up_are_refused_with_a_hint() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = python(
        "with Run('run.sqlite', classes=['a'], labels=np.zeros(10, int)) as log:\n    \
         log.step(0, f=[np.ones((4, 2))] * 2)\n",
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ValueError: step 0, layer 'f': 8 rows, expected one per image (10); per-batch pieces may be passed as a list"),
        "{err}"
    );
}

/// (thumbnails argument, extra Run arguments, expected pixels of image 0, first row).
const PICTURES: [(&str, &str, [u8; 4]); 6] = [
    // NCHW grey, floats in [0, 1]: times 255.
    (
        "np.array([0.0, 0.6, 1.0, 0.2]).reshape(1, 1, 1, 4)",
        "",
        [0, 153, 255, 51],
    ),
    // MNIST normalised by (x - 0.1307) / 0.3081: undone with the mean and std.
    (
        "((np.array([0.0, 0.6, 1.0, 0.2]) - 0.1307) / 0.3081).reshape(1, 1, 1, 4)",
        "thumbnail_mean=0.1307, thumbnail_std=0.3081",
        [0, 153, 255, 51],
    ),
    // scikit-learn's digits, 0..16 as floats: stretched from the minimum and maximum.
    ("np.array([[[0.0, 9.6, 16.0, 3.2]]])", "", [0, 153, 255, 51]),
    // The same normalised values without mean and std: stretched, still visible.
    (
        "((np.array([0.0, 0.6, 1.0, 0.2]) - 0.1307) / 0.3081).reshape(1, 1, 4)",
        "",
        [0, 153, 255, 51],
    ),
    // int64 pixel values in 0..255, as a torch uint8 tensor becomes after .long(): kept.
    ("np.array([[[0, 100, 200, 50]]])", "", [0, 100, 200, 50]),
    // uint8 as it is.
    (
        "np.array([[[7, 100, 250, 1]]], dtype=np.uint8)",
        "",
        [7, 100, 250, 1],
    ),
];

#[test]
fn pictures_in_any_layout_and_range_become_visible_thumbnails() {
    if !available() {
        return;
    }
    for (pictures, extra, want) in PICTURES {
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(", {extra}")
        };
        let dir = tempfile::tempdir().unwrap();
        python_ok(
            &format!(
                "Run('run.sqlite', classes=['a'], labels=[0], thumbnails={pictures}{extra}).close()"
            ),
            dir.path(),
        );
        let thumb = Store::open(dir.path().join("run.sqlite"))
            .unwrap()
            .thumbnail(0)
            .unwrap()
            .unwrap();
        assert_eq!((thumb.width, thumb.height, thumb.channels), (4, 1, 1));
        assert_eq!(thumb.pixels, want, "{pictures} {extra}");
    }
    // N x 3 x H x W colour pictures are stored as interleaved RGB.
    let dir = tempfile::tempdir().unwrap();
    python_ok(
        "t = np.zeros((2, 3, 1, 2), np.uint8); t[1, 0] = 10; t[1, 1] = 20; t[1, 2] = 30\n\
         Run('run.sqlite', classes=['a'], labels=[0, 0], thumbnails=t).close()",
        dir.path(),
    );
    let thumb = Store::open(dir.path().join("run.sqlite"))
        .unwrap()
        .thumbnail(1)
        .unwrap()
        .unwrap();
    assert_eq!((thumb.width, thumb.height, thumb.channels), (2, 1, 3));
    assert_eq!(thumb.pixels, [10, 20, 30, 10, 20, 30]);
}

#[test]
fn nearly_black_thumbnails_give_a_warning() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // scikit-learn's digits as integers 0..16: the viewer would draw them black.
    let out = python(
        "Run('run.sqlite', classes=['a'], labels=[0], thumbnails=np.array([[[0, 8, 16]]], np.uint8)).close()",
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success()
            && err.contains("UserWarning: thumbnails: the brightest pixel is 16 of 255"),
        "{err}"
    );
    let out = python(
        "Run('bright.sqlite', classes=['a'], labels=[0], thumbnails=np.array([[[0, 8, 160]]], np.uint8)).close()",
        dir.path(),
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Warning"));
}

#[test]
fn bad_thumbnails_and_classes_raise_value_error() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "classes=['a', 'b', 'a'], labels=[0, 1]",
            "'a' is class 0 and 2",
        ),
        (
            "classes=['a'], labels=[0.0]",
            "labels must be a 1-D array of integers",
        ),
        (
            "classes=['a'], labels=[0], thumbnails=np.uint8(3)",
            "got shape ()",
        ),
        (
            "classes=['a'], labels=[0, 0], thumbnails=np.array([[[0.5, np.nan]], [[0.1, 0.2]]])",
            "thumbnails: 1 NaN or infinite values (first in image 0)",
        ),
        (
            "classes=['a'], labels=[0], thumbnails=np.zeros((1, 2, 2, 2))",
            "C = 1 or 3, got shape (1, 2, 2, 2)",
        ),
    ];
    for (args, message) in cases {
        let script = format!(
            "try:\n    Run('run.sqlite', {args})\n    print('accepted')\nexcept ValueError as e:\n    print('refused:', e)\n"
        );
        let out = python_ok(&script, dir.path());
        assert!(
            out.starts_with("refused:") && out.contains(message),
            "{args}: {out}"
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file");
}
