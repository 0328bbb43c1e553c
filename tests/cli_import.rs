//! `deepscope import` on small files made here: every route in, appends, and every bad
//! input failing with one line, exit code 2, and the target database unchanged.

mod common {
    pub mod import;
}

use std::io::Write;
use std::path::{Path, PathBuf};

use common::import::{N, features, import, logits, npy_steps, refused};
use deepscope::store::Store;
use ndarray::{Array1, Array2, Array3};
use ndarray_npy::{NpzWriter, write_npy};

#[test]
fn npy_directories_with_labels_and_classes() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0, 10]);
    let out = dir.path().join("run.sqlite");
    import(&out, &[], &steps)
        .success()
        .stdout(predicates::str::contains(
            "created with 12 images, 3 classes, layers fc, logits; 2 steps added",
        ));
    let store = Store::open(&out).unwrap();
    let c = store.catalog();
    assert_eq!(c.classes, vec!["cat", "dog", "horse"]);
    assert_eq!(
        c.layer("logits").unwrap().kind,
        deepscope::model::LayerKind::Logits
    );
    assert_eq!(store.load(10, "fc").unwrap(), features(10));
    assert_eq!(
        store.load(10, "logits").unwrap(),
        logits(10).mapv(|v| v as f32)
    );
}

#[test]
fn npz_archives_append_to_an_existing_run() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    let out = dir.path().join("run.sqlite");
    import(&out, &[], &steps).success();
    // The run goes on: a later step arrives as an .npz archive in the same directory.
    let mut npz =
        NpzWriter::new_compressed(std::fs::File::create(steps.join("step_000020.npz")).unwrap());
    npz.add_array("fc", &features(20)).unwrap();
    npz.add_array("logits", &logits(20)).unwrap();
    npz.finish().unwrap();
    import(&out, &[], &steps)
        .success()
        .stdout(predicates::str::contains(
            "appended to: 12 images, 3 classes, layers fc, logits; 1 step added, 1 already there",
        ));
    let store = Store::open(&out).unwrap();
    assert_eq!(
        store
            .catalog()
            .steps
            .iter()
            .map(|s| s.step)
            .collect::<Vec<_>>(),
        vec![0, 20]
    );
    assert_eq!(store.load(20, "fc").unwrap(), features(20));
}

fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, dims.len() as u8];
    dims.iter()
        .for_each(|d| b.extend_from_slice(&d.to_be_bytes()));
    b.extend_from_slice(data);
    b
}

#[test]
fn idx_images_and_gzipped_idx_labels() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    std::fs::remove_file(steps.join("labels.npy")).unwrap();
    let images = dir.path().join("images-idx3-ubyte");
    std::fs::write(
        &images,
        idx(
            &[N as u32, 4, 4],
            &(0..N * 16).map(|v| v as u8).collect::<Vec<_>>(),
        ),
    )
    .unwrap();
    let labels = dir.path().join("labels-idx1-ubyte.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&labels).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(&idx(
        &[N as u32],
        &(0..N).map(|i| (i % 3) as u8).collect::<Vec<_>>(),
    ))
    .unwrap();
    gz.finish().unwrap();
    let out = dir.path().join("run.sqlite");
    import(
        &out,
        &[
            "--images",
            images.to_str().unwrap(),
            "--labels",
            labels.to_str().unwrap(),
        ],
        &steps,
    )
    .success();
    let store = Store::open(&out).unwrap();
    let t = store.thumbnail(2).unwrap().unwrap();
    assert_eq!((t.width, t.height, t.channels, t.pixels[0]), (4, 4, 1, 32));
    assert_eq!(store.catalog().labels[5], 2);
}

#[test]
fn cifar_batches_bring_pictures_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    std::fs::remove_file(steps.join("labels.npy")).unwrap();
    let mut batch = Vec::new();
    for i in 0..N {
        batch.push((i % 3) as u8);
        batch.extend((0..3072).map(|p| if p < 1024 { 200 } else { i as u8 }));
    }
    let bin = dir.path().join("data_batch_1.bin");
    std::fs::write(&bin, batch).unwrap();
    let out = dir.path().join("run.sqlite");
    import(&out, &["--images", bin.to_str().unwrap()], &steps).success();
    let store = Store::open(&out).unwrap();
    let t = store.thumbnail(7).unwrap().unwrap();
    assert_eq!(
        (t.width, t.channels, &t.pixels[..3]),
        (32, 3, &[200u8, 7, 7][..]),
        "planes interleaved to RGB"
    );
    assert_eq!(store.catalog().labels[7], 1);
}

/// root/<class>/<n>.png, four images per class, classes in alphabetical order.
fn picture_folder(dir: &Path) -> PathBuf {
    let root = dir.join("pictures");
    for (c, class) in ["ant", "bee", "cow"].iter().enumerate() {
        std::fs::create_dir_all(root.join(class)).unwrap();
        for k in 0..4 {
            let img = image::RgbImage::from_pixel(8, 6, image::Rgb([c as u8 * 100, k * 10, 0]));
            img.save(root.join(class).join(format!("{k}.png"))).unwrap();
        }
    }
    root
}

#[test]
fn an_image_folder_gives_labels_class_names_and_thumbnails() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    std::fs::remove_file(steps.join("labels.npy")).unwrap();
    std::fs::remove_file(steps.join("classes.txt")).unwrap();
    let pictures = picture_folder(dir.path());
    let out = dir.path().join("run.sqlite");
    import(
        &out,
        &["--images", pictures.to_str().unwrap(), "--thumb-size", "16"],
        &steps,
    )
    .success();
    let store = Store::open(&out).unwrap();
    assert_eq!(store.catalog().classes, vec!["ant", "bee", "cow"]);
    assert_eq!(
        store.catalog().labels,
        vec![0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    );
    let t = store.thumbnail(9).unwrap().unwrap();
    assert_eq!(
        (t.width, t.height, t.pixels[0], t.pixels[1]),
        (8, 6, 200, 10),
        "pictures smaller than --thumb-size keep their size"
    );
}

#[test]
fn bad_inputs_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0, 10]);
    let fresh = dir.path().join("fresh.sqlite");
    let existing = dir.path().join("run.sqlite");
    import(&existing, &[], &steps).success();

    // Missing labels.
    let no_labels = dir.path().join("no_labels");
    std::fs::create_dir_all(no_labels.join("step_000000")).unwrap();
    write_npy(no_labels.join("step_000000/fc.npy"), &features(0)).unwrap();
    refused(&fresh, &[], &no_labels, "no labels: give --labels FILE");

    // N mismatch between a step and the labels, appended to an existing run.
    let d = steps.join("step_000030");
    std::fs::create_dir_all(&d).unwrap();
    write_npy(d.join("fc.npy"), &Array2::<f32>::zeros((N - 1, 5))).unwrap();
    refused(
        &existing,
        &[],
        &steps,
        "layer 'fc' has 11 rows, but there are 12 labels",
    );
    refused(&fresh, &[], &steps, "has 11 rows");

    // A truncated .npy file.
    let bytes = std::fs::read(steps.join("step_000000/fc.npy")).unwrap();
    std::fs::write(d.join("fc.npy"), &bytes[..bytes.len() - 7]).unwrap();
    refused(
        &existing,
        &[],
        &steps,
        "truncated: shape [12, 5] needs 240 bytes",
    );

    // A dtype that is not numeric (booleans).
    write_npy(
        d.join("fc.npy"),
        &Array3::<bool>::from_elem((N, 1, 5), true),
    )
    .unwrap();
    refused(&existing, &[], &steps, "dtype '|b1' is not a number type");

    // NaN values: the step is refused before any of its layers is declared.
    let mut nan = features(30);
    nan[[3, 1]] = f32::NAN;
    write_npy(d.join("fc.npy"), &nan).unwrap();
    write_npy(d.join("extra.npy"), &features(30)).unwrap();
    refused(&existing, &[], &steps, "1 NaN or infinite values");
    std::fs::remove_dir_all(&d).unwrap();

    // A corrupt image, and a class folder without images.
    let pictures = picture_folder(dir.path());
    std::fs::write(pictures.join("bee/2.png"), b"\x89PNG not really").unwrap();
    refused(
        &fresh,
        &["--images", pictures.to_str().unwrap()],
        &steps,
        "bee/2.png: not a readable PNG, JPEG, WebP or BMP image",
    );
    std::fs::remove_dir_all(pictures.join("bee")).unwrap();
    std::fs::create_dir_all(pictures.join("bee")).unwrap();
    refused(
        &fresh,
        &["--images", pictures.to_str().unwrap()],
        &steps,
        "bee: class folder without images",
    );

    // Other labels than the existing run's.
    write_npy(
        steps.join("labels.npy"),
        &Array1::from_shape_fn(N, |i| ((i + 1) % 3) as i64),
    )
    .unwrap();
    refused(
        &existing,
        &[],
        &steps,
        "holds other classes or labels than this import",
    );
    // No steps at all.
    refused(&fresh, &[], dir.path(), "no steps found");
}
