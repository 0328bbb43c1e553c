//! Issue 14 part 3: import reads untrusted files. Headers that lie about sizes fail before
//! anything is allocated for them, integers stay integers, odd layouts are read, and no
//! failure or signal leaves a file behind.

mod common {
    pub mod import;
}

use std::io::Write;

use common::import::*;
use deepscope::store::Store;
use ndarray::Array2;
use ndarray_npy::{NpzWriter, write_npy};

const HUGE: &str = "(1000000000000, 512)";

#[test]
fn headers_claiming_more_than_the_file_fail_without_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    let out = dir.path().join("run.sqlite");
    let fc = steps.join("step_000000/fc.npy");
    // Today: "memory allocation of 2048000000000000 bytes failed", SIGABRT, partial left.
    std::fs::write(&fc, npy_bytes("<f4", false, HUGE, &[0; 64])).unwrap();
    fails(
        &out,
        &[],
        &steps,
        "fc.npy",
        "truncated: shape [1000000000000, 512]",
    );
    std::fs::write(&fc, npy_bytes("<f4", false, "(100000000, 512)", &[0; 64])).unwrap();
    fails(&out, &[], &steps, "fc.npy", "truncated");
    // A header length of 0xFFFFFFF0 (today: a 4 GB allocation).
    let mut b = b"\x93NUMPY\x02\x00".to_vec();
    b.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    b.extend_from_slice(&[b' '; 100]);
    std::fs::write(&fc, b).unwrap();
    fails(&out, &[], &steps, "fc.npy", "damaged .npy header");
}

#[test]
fn npz_members_and_thumbnails_are_bounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    std::fs::remove_dir_all(steps.join("step_000000")).unwrap();
    let out = dir.path().join("run.sqlite");
    let npz = steps.join("step_000010.npz");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&npz).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("fc.npy", options).unwrap();
    zip.write_all(&npy_bytes("<f4", false, HUGE, &[0; 4096]))
        .unwrap();
    zip.finish().unwrap();
    fails(&out, &[], &steps, "step_000010.npz", "member fc.npy");

    // 32 MB of zeros behind a header that claims 12 x 5: refused after the header.
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&npz).unwrap());
    zip.start_file("fc.npy", options).unwrap();
    zip.write_all(&npy_bytes("<f4", false, "(12, 5)", &vec![0; 32 << 20]))
        .unwrap();
    zip.finish().unwrap();
    fails(&out, &[], &steps, "step_000010.npz", "member fc.npy");

    let mut ok = NpzWriter::new_compressed(std::fs::File::create(&npz).unwrap());
    ok.add_array("fc", &features(10)).unwrap();
    ok.finish().unwrap();
    let thumbs = dir.path().join("thumbs.npy");
    std::fs::write(
        &thumbs,
        npy_bytes("|u1", false, "(1000000000000, 28, 28)", &[0; 64]),
    )
    .unwrap();
    fails(
        &out,
        &["--images", thumbs.to_str().unwrap()],
        &steps,
        "thumbs.npy",
        "truncated: shape [1000000000000, 28, 28]",
    );
}

#[test]
fn labels_stay_integers_and_absurd_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    let out = dir.path().join("run.sqlite");
    let labels = steps.join("labels.npy");
    // Today: exit 0, and image 11 gets label 1 (4294967297 wraps through float32 and u32).
    let mut values: Vec<i64> = (0..N as i64).map(|i| i % 3).collect();
    values[11] = 4_294_967_297;
    write_npy(&labels, &ndarray::Array1::from(values.clone())).unwrap();
    fails(
        &out,
        &[],
        &steps,
        "labels.npy",
        "label 4294967297 of image 11 is out of range",
    );
    // Above 2^24 a float32 round trip changes the value: no longer a silent pass.
    values[11] = (1 << 24) + 1;
    write_npy(&labels, &ndarray::Array1::from(values.clone())).unwrap();
    fails(
        &out,
        &[],
        &steps,
        "labels.npy",
        "label 16777217 of image 11 is outside the 3 classes",
    );
    std::fs::remove_file(steps.join("classes.txt")).unwrap();
    // Today: a 48 GB allocation of class names.
    values[11] = 2_000_000_000;
    write_npy(&labels, &ndarray::Array1::from(values)).unwrap();
    fails(
        &out,
        &[],
        &steps,
        "labels.npy",
        "label 2000000000 means 2000000001 classes",
    );
    let fractions = ndarray::Array1::from_shape_fn(N, |i| i as f64 / 2.0);
    write_npy(&labels, &fractions).unwrap();
    fails(&out, &[], &steps, "labels.npy", "labels must be integers");
}

#[test]
fn empty_pictures_are_refused_at_import() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    let out = dir.path().join("run.sqlite");
    let thumbs = dir.path().join("thumbs.npy");
    write_npy(&thumbs, &ndarray::Array3::<u8>::zeros((N, 0, 0))).unwrap();
    fails(
        &out,
        &["--images", thumbs.to_str().unwrap()],
        &steps,
        "thumbs.npy",
        "0x0 pixels",
    );
    let idx = dir.path().join("images-idx3-ubyte");
    let mut b = vec![0, 0, 8, 3];
    for d in [N as u32, 0, 0] {
        b.extend_from_slice(&d.to_be_bytes());
    }
    std::fs::write(&idx, b).unwrap();
    fails(
        &out,
        &["--images", idx.to_str().unwrap()],
        &steps,
        "images-idx3-ubyte",
        "0x0 pixels",
    );
}

#[test]
fn fortran_order_arrays_are_read_as_numpy_means_them() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    // np.save(path, x.T) of a 5 x N array: an N x 5 array in Fortran order.
    let fc = features(0);
    let data: Vec<u8> = fc.t().iter().flat_map(|v| v.to_le_bytes()).collect();
    let shape = format!("({N}, 5)");
    std::fs::write(
        steps.join("step_000000/fc.npy"),
        npy_bytes("<f4", true, &shape, &data),
    )
    .unwrap();
    // Thumbnails N x 2 x 3 in Fortran order (today: a panic, "range end index out of range").
    let pixels = ndarray::Array3::from_shape_fn((N, 2, 3), |(i, y, x)| (i * 6 + y * 3 + x) as u8);
    let fortran: Vec<u8> = pixels.t().iter().copied().collect();
    let thumbs = dir.path().join("thumbs.npy");
    std::fs::write(
        &thumbs,
        npy_bytes("|u1", true, &format!("({N}, 2, 3)"), &fortran),
    )
    .unwrap();
    let out = dir.path().join("run.sqlite");
    import(&out, &["--images", thumbs.to_str().unwrap()], &steps).success();
    let store = Store::open(&out).unwrap();
    assert_eq!(store.load(0, "fc").unwrap(), fc);
    let t = store.thumbnail(4).unwrap().unwrap();
    assert_eq!((t.width, t.height), (3, 2));
    assert_eq!(t.pixels, (24..30).collect::<Vec<u8>>());
}

#[test]
fn a_failed_append_says_which_steps_went_in() {
    let dir = tempfile::tempdir().unwrap();
    let steps = npy_steps(dir.path(), &[0]);
    let out = dir.path().join("run.sqlite");
    import(&out, &[], &steps).success();
    let mut steps_now = vec![];
    for s in [10, 20, 30] {
        let d = steps.join(format!("step_{s:06}"));
        std::fs::create_dir_all(&d).unwrap();
        write_npy(d.join("fc.npy"), &features(s)).unwrap();
        steps_now.push(s);
    }
    let bad = steps.join("step_000030/fc.npy");
    write_npy(&bad, &Array2::<f32>::zeros((N - 1, 5))).unwrap();
    let assert = import(&out, &[], &steps).code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("step_000030: layer 'fc' has 11 rows")
            && stderr
                .contains("steps 10, 20 were added before this; importing again adds the rest"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1);
    let have: Vec<i64> = Store::open(&out)
        .unwrap()
        .catalog()
        .steps
        .iter()
        .map(|s| s.step)
        .collect();
    assert_eq!(have, vec![0, 10, 20]);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_signal_during_an_import_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let steps = dir.path().join("dumps");
    // Enough steps that the import is still running when the signal comes.
    let big = Array2::<f32>::from_shape_fn((2000, 256), |(i, j)| (i ^ j) as f32);
    for s in 0..400 {
        let d = steps.join(format!("step_{s:06}"));
        std::fs::create_dir_all(&d).unwrap();
        write_npy(d.join("fc.npy"), &big).unwrap();
    }
    write_npy(
        steps.join("labels.npy"),
        &ndarray::Array1::from_elem(2000, 1i64),
    )
    .unwrap();
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let out = dir.path().join(format!("run-{signal}.sqlite"));
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("deepscope"))
            .arg("import")
            .arg(&out)
            .arg("--steps")
            .arg(&steps)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the partial database exists, then signal.
        let started = std::time::Instant::now();
        while leftovers(dir.path()).is_empty() && started.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        let kill = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}");
        assert!(
            !out.exists(),
            "SIG{signal}: the unfinished database appeared"
        );
        assert!(
            leftovers(dir.path()).is_empty(),
            "SIG{signal}: {:?}",
            leftovers(dir.path())
        );
    }
}
