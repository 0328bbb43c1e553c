//! Issue 16, "import says what it does": float pictures and float16 activations, image
//! folders (names kept, grey kept, non-pictures skipped, WebP and BMP), row ranges, labels
//! from text, arr_0/arr_1 archives, epochs and names, safetensors, and formats that are not
//! read named as such.

mod common {
    pub mod import;
}

use common::import::*;
use deepscope::model::LayerKind;
use deepscope::store::Store;
use ndarray::{Array1, Array2};
use ndarray_npy::{NpzWriter, write_npy};

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn float_pictures_follow_the_loggers_rule_and_float16_layers_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    // float16 activations (today: refused).
    let halves: Vec<u8> = features(0)
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect();
    std::fs::write(
        steps.join("step_000000/fc.npy"),
        npy_bytes("<f2", false, &format!("({N}, 5)"), &halves),
    )
    .unwrap();
    // MNIST normalised by (x - 0.1307) / 0.3081: stretched from its minimum to maximum.
    let pics = ndarray::Array3::from_shape_fn((N, 2, 2), |(i, y, x)| {
        ((i + y + x) as f32 / 15.0 - 0.1307) / 0.3081
    });
    let thumbs = dir.path().join("thumbs.npy");
    write_npy(&thumbs, &pics).unwrap();
    let out = dir.path().join("run.sqlite");
    let a = import(&out, &["--images", thumbs.to_str().unwrap()], &steps).success();
    assert!(
        stderr_of(&a).contains("stretched to 0-255"),
        "{}",
        stderr_of(&a)
    );
    let store = Store::open(&out).unwrap();
    assert_eq!(store.load(0, "fc").unwrap(), features(0));
    assert_eq!(store.thumbnail(0).unwrap().unwrap().pixels[0], 0);
    assert_eq!(store.thumbnail(11).unwrap().unwrap().pixels[3], 255);
}

#[test]
fn image_folders_keep_names_grey_and_size_and_skip_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    std::fs::remove_file(steps.join("labels.npy")).unwrap();
    std::fs::remove_file(steps.join("classes.txt")).unwrap();
    let root = dir.path().join("pictures");
    for (c, class) in ["ant", "bee", "cow"].iter().enumerate() {
        std::fs::create_dir_all(root.join(class)).unwrap();
        for k in 0..4u8 {
            let grey = image::GrayImage::from_pixel(28, 28, image::Luma([c as u8 * 50 + k]));
            let ext = ["png", "bmp", "webp", "png"][k as usize];
            grey.save(root.join(class).join(format!("{class}{k}.{ext}")))
                .unwrap();
        }
    }
    std::fs::write(root.join("bee/notes.txt"), "not a picture").unwrap();
    let out = dir.path().join("run.sqlite");
    let a = import(&out, &["--images", root.to_str().unwrap()], &steps).success();
    assert!(stderr_of(&a).contains("skipped 1 file(s) that are not pictures"));
    let store = Store::open(&out).unwrap();
    // bee0.png and bee3.png are grey files (WebP has no grey mode: it decodes as RGB).
    for image in [4, 7] {
        let t = store.thumbnail(image).unwrap().unwrap();
        let first = 50 + image as u8 - 4;
        assert_eq!(
            (t.width, t.height, t.channels, t.pixels[0]),
            (28, 28, 1, first)
        );
    }
    assert_eq!(store.catalog().image_names[6].as_deref(), Some("bee2.webp"));

    // Labels that disagree with the folders are refused (today: used silently).
    let wrong = dir.path().join("y.npy");
    write_npy(&wrong, &Array1::from_shape_fn(N, |i| (i % 3) as i64)).unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    let images = root.to_str().unwrap();
    fails(
        &fresh,
        &["--images", images, "--labels", wrong.to_str().unwrap()],
        &steps,
        "y.npy",
        "disagrees with the class folders",
    );
}

#[test]
fn rows_pair_full_files_with_steps_for_some_images() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    // 20 labels and pictures; the steps hold images 8..20.
    let labels = dir.path().join("labels.txt");
    let text: String = (0..20).map(|i| format!("{}\n", i % 3)).collect();
    std::fs::write(&labels, text).unwrap();
    let pics = ndarray::Array3::from_shape_fn((20, 2, 2), |(i, _, _)| i as u8 * 10);
    let thumbs = dir.path().join("thumbs.npy");
    write_npy(&thumbs, &pics).unwrap();
    let out = dir.path().join("run.sqlite");
    let args = [
        "--labels",
        labels.to_str().unwrap(),
        "--images",
        thumbs.to_str().unwrap(),
    ];
    fails(
        &out,
        &args,
        &steps,
        "step_000000",
        "has 12 rows, but there are 20 labels",
    );
    let mut with_rows = args.to_vec();
    with_rows.extend([
        "--rows",
        "8..20",
        "--name",
        "tail run",
        "--steps-per-epoch",
        "5",
    ]);
    import(&out, &with_rows, &steps).success();
    let store = Store::open(&out).unwrap();
    assert_eq!(store.thumbnail(0).unwrap().unwrap().pixels[0], 80);
    assert_eq!(store.catalog().labels[0], 2);
    assert_eq!(
        store.catalog().meta.get("name").map(String::as_str),
        Some("tail run")
    );
}

#[test]
fn unnamed_archives_get_logits_by_width_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[]);
    let mut npz = NpzWriter::new(std::fs::File::create(steps.join("step_000010.npz")).unwrap());
    npz.add_array("arr_0", &features(10)).unwrap();
    npz.add_array("arr_1", &logits(10)).unwrap();
    npz.finish().unwrap();
    let out = dir.path().join("run.sqlite");
    let a = import(&out, &[], &steps).success();
    assert!(
        stderr_of(&a).contains("took layer 'arr_1' as logits"),
        "{}",
        stderr_of(&a)
    );
    let store = Store::open(&out).unwrap();
    assert_eq!(
        store.catalog().layer("arr_1").unwrap().kind,
        LayerKind::Logits
    );
    assert_eq!(
        store.catalog().layer("arr_0").unwrap().kind,
        LayerKind::Features
    );
}

#[test]
fn safetensors_steps_are_read_and_pickles_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[]);
    let fc: Vec<u8> = features(5).iter().flat_map(|v| v.to_le_bytes()).collect();
    let json = format!(
        "{{\"fc\":{{\"dtype\":\"F32\",\"shape\":[{N},5],\"data_offsets\":[0,{}]}}}}",
        fc.len()
    );
    let mut file = (json.len() as u64).to_le_bytes().to_vec();
    file.extend(json.as_bytes());
    file.extend(&fc);
    std::fs::write(steps.join("step_000005.safetensors"), file).unwrap();
    let out = dir.path().join("run.sqlite");
    import(&out, &[], &steps).success();
    assert_eq!(
        Store::open(&out).unwrap().load(5, "fc").unwrap(),
        features(5)
    );

    let fresh = dir.path().join("fresh.sqlite");
    std::fs::write(steps.join("step_000007.pt"), b"PK pickle").unwrap();
    fails(
        &fresh,
        &[],
        &steps,
        "step_000007.pt",
        "a pickle can run any code",
    );
    std::fs::remove_file(steps.join("step_000007.pt")).unwrap();
    let d = steps.join("step_000009");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("fc.csv"), "1,2\n").unwrap();
    fails(
        &fresh,
        &[],
        &steps,
        "fc.csv",
        "is CSV, which is not read; convert: numpy.save",
    );
    let _ = Array2::<f32>::zeros((1, 1));
}
