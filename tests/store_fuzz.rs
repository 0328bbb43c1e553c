//! Issue 14, part 7: a fuzz harness for the store on mutated databases, on stable Rust.
//!
//! Seeds come from the bundled sample (a 40-image cut of it, in rollback and in WAL mode,
//! and now and then the whole sample). Each mutant gets a few SQL-level mutations (a cell set
//! to a hostile value of any type, a row deleted, a BLOB's floats or a header field changed)
//! and byte-level ones (bits, bytes, runs, truncation), then goes through `check`,
//! `Store::open`, loading every (step, layer), thumbnails and a refresh. The oracle:
//! - nothing panics;
//! - the file's bytes are unchanged and no -wal/-shm/-journal is left beside it;
//! - when `check` finds no problem, `open` and every load succeed (its promise);
//! - every loaded matrix is finite within `MAX_MAGNITUDE`, every thumbnail the size it says.
//!
//! `cargo test` runs a fixed number of seeded mutants (deterministic, a few seconds). For a
//! long run: `DEEPSCOPE_FUZZ_SECS=600 cargo test --test store_fuzz -- --ignored --nocapture`
//! (optionally `DEEPSCOPE_FUZZ_SEED=N` to start elsewhere); mutants that fail are kept in
//! `target/store-fuzz/`. One failing mutant replays with `DEEPSCOPE_FUZZ_SEED=N` and
//! `DEEPSCOPE_FUZZ_SECS=0`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use deepscope::model::Thumbnail;
use deepscope::store::{Journal, MAX_MAGNITUDE, Store, Writer, check};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rusqlite::Connection;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_data/mnist.sqlite");

/// A small run cut from the sample: its first 40 images, thumbnails, three steps.
fn small_seed(path: &Path, journal: Journal) {
    let sample = Store::open(SAMPLE).unwrap();
    let c = sample.catalog();
    let n = 40;
    let mut w = Writer::create_with(path, journal).unwrap();
    w.set_meta("name", "fuzz seed").unwrap();
    w.add_classes(&c.classes).unwrap();
    let names: Vec<String> = (0..n).map(|i| format!("img{i}")).collect();
    w.add_images(&c.labels[..n], Some(&names), Some("test"))
        .unwrap();
    let thumbs: Vec<Thumbnail> = (0..n as u32)
        .map(|i| sample.thumbnail(i).unwrap().unwrap())
        .collect();
    w.add_thumbnails(&thumbs).unwrap();
    for l in &c.layers {
        w.add_layer(&l.name, l.dim, l.kind).unwrap();
    }
    for s in [0, 500, 6000] {
        let arrays: Vec<(String, ndarray::Array2<f32>)> = c
            .layers
            .iter()
            .map(|l| {
                let a = sample.load(s, &l.name).unwrap();
                (l.name.clone(), a.slice(ndarray::s![..n, ..]).to_owned())
            })
            .collect();
        let views: Vec<(&str, ndarray::ArrayView2<f32>)> =
            arrays.iter().map(|(n, a)| (n.as_str(), a.view())).collect();
        w.add_step(s, Some(s as f64 / 1000.0), None, &views)
            .unwrap();
    }
    if journal == Journal::Rollback {
        w.finish().unwrap();
    } else {
        // Left in WAL mode with its log folded in, as a finished Python run is.
        drop(w);
    }
}

/// Hostile values for a cell, of every SQLite type.
const VALUES: &[&str] = &[
    "NULL",
    "0",
    "-1",
    "1",
    "3",
    "9223372036854775807",
    "-9223372036854775808",
    "4611686018427387904",
    "2147483648",
    "1e999",
    "-1e999",
    "0.5",
    "3e38",
    "'x'",
    "''",
    "'features'",
    "'logits'",
    "'probs'",
    "CAST(X'C0FF41' AS TEXT)",
    "X'FF00'",
    "X''",
    "zeroblob(7)",
    "char(27) || '[2J'",
];

/// (table, column) pairs a mutation may change.
const CELLS: &[(&str, &str)] = &[
    ("meta", "key"),
    ("meta", "value"),
    ("classes", "id"),
    ("classes", "name"),
    ("images", "id"),
    ("images", "label"),
    ("images", "name"),
    ("images", "split"),
    ("thumbnails", "image"),
    ("thumbnails", "width"),
    ("thumbnails", "height"),
    ("thumbnails", "channels"),
    ("thumbnails", "pixels"),
    ("layers", "name"),
    ("layers", "dim"),
    ("layers", "kind"),
    ("steps", "step"),
    ("steps", "epoch"),
    ("steps", "wall_time"),
    ("activations", "step"),
    ("activations", "layer"),
    ("activations", "data"),
];

/// One SQL-level mutation; failures (a constraint, a type) just leave the file as it was.
fn mutate_sql(conn: &Connection, rng: &mut Xoshiro256PlusPlus) {
    let pick = |rng: &mut Xoshiro256PlusPlus, table: &str| -> Option<i64> {
        let count: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .ok()?;
        let offset = rng.gen_range(0..count.max(1));
        conn.query_row(
            &format!("SELECT rowid FROM {table} ORDER BY rowid LIMIT 1 OFFSET {offset}"),
            [],
            |r| r.get(0),
        )
        .ok()
    };
    let sql = match rng.gen_range(0..10) {
        0..=4 => {
            let (table, column) = CELLS[rng.gen_range(0..CELLS.len())];
            let value = VALUES[rng.gen_range(0..VALUES.len())];
            let Some(row) = pick(rng, table) else { return };
            format!("UPDATE {table} SET {column} = {value} WHERE rowid = {row}")
        }
        5 => {
            let (table, _) = CELLS[rng.gen_range(0..CELLS.len())];
            let Some(row) = pick(rng, table) else { return };
            format!("DELETE FROM {table} WHERE rowid = {row}")
        }
        6 | 7 => {
            let row = pick(rng, "activations");
            return mutate_floats(conn, rng, row);
        }
        8 => format!(
            "PRAGMA {} = {}",
            ["application_id", "user_version"][rng.gen_range(0..2)],
            [0, 1, 2, -1, 1146114883][rng.gen_range(0..5)]
        ),
        _ => format!(
            "DROP TABLE {}",
            ["meta", "thumbnails", "steps", "classes"][rng.gen_range(0..4)]
        ),
    };
    let _ = conn.execute_batch(&sql);
}

/// Overwrites a few floats of one activation BLOB with random bit patterns or extremes.
fn mutate_floats(conn: &Connection, rng: &mut Xoshiro256PlusPlus, row: Option<i64>) {
    let Some(row) = row else { return };
    let select = "SELECT data FROM activations WHERE rowid = ?1";
    let Ok(mut data) = conn.query_row(select, [row], |r| r.get::<_, Vec<u8>>(0)) else {
        return;
    };
    for _ in 0..rng.gen_range(1..4) {
        if data.len() < 4 {
            break;
        }
        let at = rng.gen_range(0..data.len() / 4) * 4;
        let v = match rng.gen_range(0..4) {
            0 => f32::from_bits(rng.r#gen::<u32>()),
            1 => MAX_MAGNITUDE * 1.0001,
            2 => -MAX_MAGNITUDE,
            _ => f32::NAN,
        };
        data[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    let _ = conn.execute(
        "UPDATE activations SET data = ?1 WHERE rowid = ?2",
        (data, row),
    );
}

/// Byte-level damage: bits, bytes and runs, half of them in the 100-byte header; or a cut.
fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut Xoshiro256PlusPlus) {
    let len = bytes.len();
    let at = if rng.gen_bool(0.5) {
        rng.gen_range(0..100.min(len))
    } else {
        rng.gen_range(0..len)
    };
    match rng.gen_range(0..4) {
        0 => bytes[at] ^= 1 << rng.gen_range(0..8),
        1 => bytes[at] = rng.r#gen(),
        2 => {
            let end = (at + rng.gen_range(1..64)).min(len);
            rng.fill(&mut bytes[at..end]);
        }
        _ => bytes.truncate(at.max(1)),
    }
}

/// Builds mutant `seed` from one of the seed files.
fn make_mutant(seeds: &[Vec<u8>], seed: u64, out: &Path) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    // The whole sample is slow to copy and scan: one mutant in 40 starts from it.
    let which = if rng.gen_range(0..40) == 0 {
        0
    } else {
        rng.gen_range(1..seeds.len())
    };
    std::fs::write(out, &seeds[which]).unwrap();
    if rng.gen_bool(0.8) {
        let conn = Connection::open(out).unwrap();
        let _ = conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA journal_mode = DELETE;");
        for _ in 0..rng.gen_range(1..4) {
            mutate_sql(&conn, &mut rng);
        }
        drop(conn);
        if which == 2 {
            // Back into WAL mode, as the seed was, with the log folded in on close.
            let conn = Connection::open(out).unwrap();
            let _ = conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()));
        }
    }
    if rng.gen_bool(0.5) {
        let mut bytes = std::fs::read(out).unwrap();
        for _ in 0..rng.gen_range(1..4) {
            mutate_bytes(&mut bytes, &mut rng);
        }
        std::fs::write(out, bytes).unwrap();
    }
}

/// Everything the store offers a reader, with the oracle's checks; Err says what broke.
fn exercise(path: &Path) -> Result<(), String> {
    let clean = match check(path) {
        Ok(report) => report.problems.iter().all(|p| !p.is_fatal()),
        Err(_) => false,
    };
    let mut store = match Store::open(path) {
        Ok(store) => store,
        Err(e) if clean => return Err(format!("check passed but open failed: {e}")),
        Err(_) => return Ok(()),
    };
    let catalog = store.catalog().clone();
    for step in &catalog.steps {
        for layer in &step.layers {
            match store.load(step.step, layer) {
                Ok(values) => {
                    let bad = values
                        .iter()
                        .any(|v| !v.is_finite() || v.abs() > MAX_MAGNITUDE);
                    if bad {
                        return Err(format!("step {} {layer}: unusable value loaded", step.step));
                    }
                }
                Err(e) if clean => return Err(format!("check passed but load failed: {e}")),
                Err(_) => {}
            }
        }
    }
    for image in [0, 1, 39, 1999, u32::MAX] {
        if let Ok(Some(t)) = store.thumbnail(image) {
            let expected = t.width.checked_mul(t.height);
            if expected.and_then(|p| p.checked_mul(t.channels)) != Some(t.pixels.len()) {
                return Err(format!("thumbnail {image} is not the size it says"));
            }
        }
    }
    let _ = store.refresh_steps();
    Ok(())
}

/// Builds, exercises and checks one mutant; Err says why it failed.
fn run_one(seeds: &[Vec<u8>], seed: u64, dir: &Path) -> Result<(), String> {
    let path = dir.join(format!("mutant-{seed}.sqlite"));
    make_mutant(seeds, seed, &path);
    let before = std::fs::read(&path).unwrap();
    let outcome = match catch_unwind(AssertUnwindSafe(|| exercise(&path))) {
        Ok(result) => result,
        Err(panic) => Err(format!(
            "panic: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("?")
        )),
    };
    let outcome = outcome.and_then(|()| {
        if std::fs::read(&path).unwrap() != before {
            return Err("the file changed".into());
        }
        match ["-wal", "-shm", "-journal"]
            .iter()
            .find(|s| Path::new(&format!("{}{s}", path.display())).exists())
        {
            Some(s) => Err(format!("{s} left beside the file")),
            None => Ok(()),
        }
    });
    if outcome.is_err() {
        let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("store-fuzz");
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(keep.join(format!("mutant-{seed}.sqlite")), before).unwrap();
    }
    for s in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    outcome
}

/// The seed corpus: the sample itself, then its 40-image cut in rollback and WAL mode.
fn seeds(dir: &Path) -> Vec<Vec<u8>> {
    let rollback = dir.join("seed-rollback.sqlite");
    let wal = dir.join("seed-wal.sqlite");
    small_seed(&rollback, Journal::Rollback);
    small_seed(&wal, Journal::Wal);
    assert_eq!(std::fs::read(&wal).unwrap()[18..20], [2, 2]);
    [PathBuf::from(SAMPLE), rollback, wal]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Runs mutants `first..` until `count` ran or `budget` passed; returns the failures.
fn campaign(first: u64, count: u64, budget: Duration) -> (u64, Vec<(u64, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds(dir.path());
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut ran = 0;
    while ran < count && (ran == 0 || start.elapsed() < budget) {
        if let Err(why) = run_one(&seeds, first + ran, dir.path()) {
            failures.push((first + ran, why));
        }
        ran += 1;
    }
    (ran, failures)
}

#[test]
fn mutated_databases_never_panic_change_or_break_checks_promise() {
    let (ran, failures) = campaign(0, 200, Duration::MAX);
    assert_eq!(ran, 200);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
#[ignore = "long run: DEEPSCOPE_FUZZ_SECS=600 cargo test --test store_fuzz -- --ignored"]
fn fuzz_store_for_a_time_budget() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let secs = env("DEEPSCOPE_FUZZ_SECS", 600);
    let first = env("DEEPSCOPE_FUZZ_SEED", 1_000_000);
    let (ran, failures) = campaign(first, u64::MAX, Duration::from_secs(secs));
    println!(
        "{ran} mutants from seed {first} in {secs} s; {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
