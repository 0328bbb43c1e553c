//! The Python example in docs/schema.md writes a file that deepscope reads: the public
//! contract and its documentation cannot drift apart.

use std::process::Command;

/// The first ```python block of docs/schema.md.
fn python_example() -> String {
    let doc = std::fs::read_to_string("docs/schema.md").expect("docs/schema.md");
    let start = doc.find("```python\n").expect("a python block") + "```python\n".len();
    let len = doc[start..].find("```").expect("closing fence");
    doc[start..start + len].to_string()
}

/// Whether python3 with numpy can run here. In CI it must: `.ci/run` installs numpy.
fn python_with_numpy() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok && std::env::var_os("CI").is_some() {
        panic!("CI must provide python3 with numpy (see .ci/run)");
    }
    ok
}

#[test]
fn the_documented_python_example_writes_a_valid_database() {
    if !python_with_numpy() {
        eprintln!("skipped: python3 with numpy is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = python_example().replace(
        "open(\"src/store/schema.sql\")",
        &format!(
            "open({:?})",
            std::fs::canonicalize("src/store/schema.sql").unwrap()
        ),
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let path = dir.path().join("run.sqlite");
    let report = deepscope::store::check(&path).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let store = deepscope::store::Store::open(&path).unwrap();
    let c = store.catalog();
    assert_eq!((c.num_images(), c.num_classes()), (100, 3));
    assert_eq!(
        c.steps.iter().map(|s| s.step).collect::<Vec<_>>(),
        vec![0, 100, 200]
    );
    assert_eq!(store.load(200, "logits").unwrap().dim(), (100, 3));

    let info = assert_cmd::Command::cargo_bin("deepscope")
        .unwrap()
        .args(["info", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(info.status.success());
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(json["images"], 100);
    assert_eq!(json["accuracy"].as_object().unwrap().len(), 3);
}
