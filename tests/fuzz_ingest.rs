//! Fuzzing of the readers import feeds untrusted bytes to: .npy, .npz, IDX (plain and
//! gzipped), CIFAR batches and safetensors. Stable Rust, no extra tools: each target mutates
//! a seed corpus made here with a seeded generator and checks that the reader never panics
//! and never asks for an allocation out of proportion to its input (a global allocator
//! records the largest request).
//!
//! `cargo test` runs a few thousand inputs per target with a fixed seed. A long run:
//! `DEEPSCOPE_FUZZ_SECS=600 DEEPSCOPE_FUZZ_TARGET=npy cargo test --release --test fuzz_ingest
//! -- --nocapture` (targets: npy, npz, idx, cifar, safetensors; the seed from
//! DEEPSCOPE_FUZZ_SEED).

// The allocation tracker below is the one place this test needs unsafe: a global allocator
// that forwards every call to the system's.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use deepscope::ingest::{layers, npy, pictures};

/// The largest single allocation requested since the last reset.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

struct Tracking;

// SAFETY: every method forwards to `System`, which upholds GlobalAlloc's contract.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator, under the caller's contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as for dealloc; the caller guarantees `new_size` is valid for `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// xorshift64*: deterministic, so a finding can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: [u64; 10] = [
    0,
    1,
    0x7f,
    0xff,
    0x7fff,
    0xffff,
    0x7fff_ffff,
    0xffff_fff0,
    0xffff_ffff,
    u64::MAX,
];

/// One random change: bit flips, interesting integers, inserted, removed, repeated or
/// spliced bytes, truncation, and runs of digits (to reach a header's shape numbers).
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let len = input.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            input[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            input[i] = INTERESTING[rng.below(INTERESTING.len())] as u8;
        }
        2 if len >= 8 => {
            let i = rng.below(len - 7);
            let v = INTERESTING[rng.below(INTERESTING.len())];
            let bytes = if rng.below(2) == 0 {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            };
            let w = [1, 2, 4, 8][rng.below(4)];
            input[i..i + w].copy_from_slice(&bytes[..w]);
        }
        3 => {
            let i = rng.below(len + 1);
            let n = 1 + rng.below(16);
            let fill: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            input.splice(i..i, fill);
        }
        4 if len > 0 => {
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(64));
            input.drain(i..i + n);
        }
        5 if len > 0 => input.truncate(rng.below(len)),
        6 if len > 0 => {
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(256));
            let copy = input[i..i + n].to_vec();
            let at = rng.below(len + 1);
            input.splice(at..at, copy);
        }
        7 if !corpus.is_empty() => {
            let other = &corpus[rng.below(corpus.len())];
            let cut = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        _ => {
            if let Some(i) = input.iter().position(|b| b.is_ascii_digit()).map(|f| {
                let digits: Vec<usize> = (f..len).filter(|&j| input[j].is_ascii_digit()).collect();
                digits[rng.below(digits.len())]
            }) {
                let run = vec![b"0123456789"[rng.below(10)]; 1 + rng.below(20)];
                input.splice(i..i + 1, run);
            }
        }
    }
}

fn npy_bytes(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&((dict.len() + 1) as u16).to_le_bytes());
    b.extend_from_slice(dict.as_bytes());
    b.push(b'\n');
    b.extend_from_slice(data);
    b
}

fn npy_seeds() -> Vec<Vec<u8>> {
    let f32s: Vec<u8> = (0..24)
        .flat_map(|v| (v as f32 * 0.5).to_le_bytes())
        .collect();
    let f64s: Vec<u8> = (0..24).flat_map(|v| (v as f64).to_be_bytes()).collect();
    let u8s: Vec<u8> = (0..48).collect();
    vec![
        npy_bytes("<f4", false, "(4, 6)", &f32s),
        npy_bytes("<f4", true, "(2, 3, 4)", &f32s),
        npy_bytes(">f8", false, "(24,)", &f64s),
        npy_bytes("<f2", false, "(4, 6)", &f32s[..48]),
        npy_bytes("<i8", false, "(12,)", &f64s[..96]),
        npy_bytes("|u1", false, "(3, 4, 4)", &u8s),
        npy_bytes("|u1", true, "(1, 3, 4, 4)", &u8s),
    ]
}

fn zip_of(members: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b).unwrap();
    gz.finish().unwrap()
}

fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, dims.len() as u8];
    dims.iter()
        .for_each(|d| b.extend_from_slice(&d.to_be_bytes()));
    b.extend_from_slice(data);
    b
}

fn safetensors_of(tensors: &[(&str, &str, &[usize], &[u8])]) -> Vec<u8> {
    let (mut header, mut data) = (Vec::new(), Vec::new());
    for (name, dtype, shape, bytes) in tensors {
        let (start, end) = (data.len(), data.len() + bytes.len());
        header.push(format!(
            "\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape:?},\"data_offsets\":[{start},{end}]}}"
        ));
        data.extend_from_slice(bytes);
    }
    let mut json = format!("{{{}}}", header.join(",")).into_bytes();
    while json.len() % 8 != 0 {
        json.push(b' ');
    }
    let mut b = (json.len() as u64).to_le_bytes().to_vec();
    b.extend(json);
    b.extend(data);
    b
}

struct Target {
    name: &'static str,
    seeds: fn() -> Vec<Vec<u8>>,
    /// Largest allocation allowed for an input of this many bytes.
    bound: fn(usize) -> usize,
    run: fn(&[u8]),
}

/// Reads the value sum so that a view that points outside its bytes would be touched.
fn touch(m: &layers::Matrix) -> f32 {
    m.view().iter().sum()
}

fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "npy",
            seeds: npy_seeds,
            bound: |n| 16 * n + (1 << 16),
            run: |b| {
                if let Ok(raw) = npy::parse_npy(Arc::new(b.to_vec())) {
                    let _ = npy::to_integers(&raw);
                    let _ = pictures::from_array(&raw);
                    if let Ok(m) = layers::Matrix::from_raw(raw) {
                        touch(&m);
                    }
                }
            },
        },
        Target {
            name: "npz",
            seeds: || {
                let s = npy_seeds();
                vec![
                    zip_of(&[("fc.npy", &s[0]), ("logits.npy", &s[2])], true),
                    zip_of(&[("arr_0.npy", &s[1]), ("arr_1.npy", &s[3])], false),
                ]
            },
            // deflate can legitimately expand about 1,032 times, and the zip crate reserves
            // its entry list (about 208 bytes an entry) from the directory's claimed count:
            // at most 65,535 entries (13.6 MB) in a plain archive, and in a zip64 one no more
            // than the bytes before the directory can hold (it checks), so bounded by n.
            // A 10-minute run found mutants reserving 13.6 MB, over the 8 MB allowed before.
            bound: |n| 1200 * n + 5 * n + (14 << 20),
            run: |b| {
                if let Ok(layers) = layers::parse_npz(std::io::Cursor::new(b)) {
                    layers.iter().for_each(|(_, m)| {
                        touch(m);
                    });
                }
            },
        },
        Target {
            name: "idx",
            seeds: || {
                let images = idx(&[3, 4, 4], &(0..48).collect::<Vec<u8>>());
                let labels = idx(&[10], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
                vec![gzip(&images), gzip(&labels), images, labels]
            },
            bound: |n| 1200 * n + (1 << 20),
            run: |b| {
                if let Ok(i) = deepscope::idx::parse_idx_bytes(b)
                    && let [n, h, w] = i.dims[..]
                {
                    let _ = pictures::from_pixels(&i.data, n, h, w, 1, false);
                }
            },
        },
        Target {
            name: "cifar",
            seeds: || {
                let record = |label: u8| {
                    let mut r = vec![label];
                    r.extend((0..3072).map(|p| (p % 251) as u8));
                    r
                };
                let mut two = record(3);
                two.extend(record(7));
                let mut hundred = vec![1];
                hundred.extend(record(42));
                vec![two, hundred]
            },
            bound: |n| 8 * n + (1 << 16),
            run: |b| {
                let _ = pictures::parse_cifar(b);
            },
        },
        Target {
            name: "safetensors",
            seeds: || {
                let f32s: Vec<u8> = (0..24).flat_map(|v| (v as f32).to_le_bytes()).collect();
                vec![safetensors_of(&[
                    ("fc", "F32", &[4, 6], &f32s),
                    ("logits", "F16", &[4, 3], &f32s[..24]),
                ])]
            },
            bound: |n| 16 * n + (1 << 16),
            run: |b| {
                if let Ok(layers) = layers::parse_safetensors(Arc::new(b.to_vec())) {
                    layers.iter().for_each(|(_, m)| {
                        touch(m);
                    });
                }
            },
        },
    ]
}

/// Runs one target for `iterations` inputs or `seconds`, whichever ends first; returns the
/// number of inputs tried and the findings.
fn fuzz(target: &Target, seed: u64, iterations: u64, seconds: u64) -> (u64, Vec<String>) {
    let corpus = (target.seeds)();
    let mut rng = Rng(seed | 1);
    let started = std::time::Instant::now();
    let mut findings = Vec::new();
    let mut tried = 0;
    while tried < iterations && started.elapsed().as_secs() < seconds {
        let mut input = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut input, &corpus);
        }
        LARGEST.store(0, Ordering::Relaxed);
        let outcome = std::panic::catch_unwind(|| (target.run)(&input));
        let largest = LARGEST.load(Ordering::Relaxed);
        tried += 1;
        let head: Vec<String> = input.iter().take(96).map(|b| format!("{b:02x}")).collect();
        if outcome.is_err() || largest > (target.bound)(input.len()) {
            keep(target.name, findings.len(), &input);
        }
        if outcome.is_err() {
            findings.push(format!("{}: panic on input {}", target.name, head.concat()));
        } else if largest > (target.bound)(input.len()) {
            findings.push(format!(
                "{}: allocation of {largest} bytes for {} input bytes: {}",
                target.name,
                input.len(),
                head.concat()
            ));
        }
        if findings.len() >= 5 {
            break;
        }
    }
    (tried, findings)
}

/// Writes a failing input whole to target/fuzz-findings/, so that it can be replayed and
/// turned into a regression test (the report shows only its first bytes).
fn keep(target: &str, index: usize, input: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{target}-{index}.bin")), input);
}

#[test]
fn readers_survive_mutated_inputs() {
    let secs = std::env::var("DEEPSCOPE_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok());
    let only = std::env::var("DEEPSCOPE_FUZZ_TARGET").ok();
    let seed = std::env::var("DEEPSCOPE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    // Panics are expected to be caught here; keep their messages out of the output.
    std::panic::set_hook(Box::new(|_| {}));
    let mut all = Vec::new();
    for target in targets() {
        if only.as_deref().is_some_and(|o| o != target.name) {
            continue;
        }
        let (iterations, seconds) = match secs {
            Some(s) => (u64::MAX, s),
            None => (3000, 60),
        };
        let (tried, findings) = fuzz(&target, seed, iterations, seconds);
        println!(
            "{}: {tried} inputs, {} findings",
            target.name,
            findings.len()
        );
        all.extend(findings);
    }
    let _ = std::panic::take_hook();
    assert!(all.is_empty(), "{}", all.join("\n"));
}
