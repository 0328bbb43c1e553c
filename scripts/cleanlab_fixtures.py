#!/usr/bin/env python3
"""Writes cleanlab's answers as small JSON fixtures for tests/suspects.rs, so the tests can
check deepscope's confident learning against cleanlab without cleanlab installed.

    python3 -m venv /tmp/cl && /tmp/cl/bin/pip install cleanlab
    cargo run -- synth /tmp/cl_synth.sqlite --images 240 --classes 5 --dim 8 \
        --steps 6 --superclasses 2 --seed 3 --label-noise 0.1
    /tmp/cl/bin/python scripts/cleanlab_fixtures.py sample_data/mnist.sqlite /tmp/cl_synth.sqlite

For the sample (committed with the repository) the fixture holds cleanlab's answers at a few
steps; the test reads the logits from the sample itself. A synthetic run's floats depend on
the machine's arithmetic, so its fixture carries its own logits (rounded to 3 decimals, as
float32) with the labels, and the answers for those. A third fixture holds numpy's argsort
of a few arrays full of ties, for the port of it in deepscope.

numpy runs on its portable kernels: the script restarts itself with every CPU-dispatched
kernel disabled (NPY_DISABLE_CPU_FEATURES). Two of cleanlab's inputs depend on those kernels:
- where cleanlab sorts values with ties (rounding residues of the confident joint, prune
  margins, quality scores), the answer is numpy's argsort order among equal values, and the
  vector sorts numpy uses on AVX-512 and AVX2 CPUs order them differently from each other
  and from the portable introsort (on the sample at step 100 this moved 3 of 68 flagged
  images). The portable order is the same on every machine; deepscope follows it.
- numpy's vector exp differs from the C library's exp in the last bit for a few percent of
  values; with the portable kernels np.exp is the C library's, the one Rust's f64::exp calls,
  so the probabilities below are deepscope's bit for bit.
The script reports how many answers a tie decided (where another numpy kernel could answer
otherwise).
"""
import json
import os
import sqlite3
import sys
from pathlib import Path

import numpy as np

try:
    from numpy._core import _multiarray_umath as _umath
except ImportError:  # numpy 1.x
    from numpy.core import _multiarray_umath as _umath

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
SAMPLE_STEPS = [10, 100, 1000, 6000]
MARK = "DEEPSCOPE_PORTABLE_NUMPY"


def dispatched_kernels():
    """The CPU features numpy would dispatch to on this machine."""
    return [f for f in _umath.__cpu_dispatch__ if _umath.__cpu_features__.get(f)]


def run_on_portable_kernels():
    """Restarts this script with numpy's dispatched kernels disabled (once)."""
    if os.environ.get(MARK) == "1":
        left = dispatched_kernels()
        if left:
            sys.exit(f"numpy still dispatches to {left}; cannot run on portable kernels")
        return
    env = dict(os.environ, **{MARK: "1"})
    env["NPY_DISABLE_CPU_FEATURES"] = " ".join(dispatched_kernels())
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def read_run(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    labels = np.array([r[0] for r in db.execute("SELECT label FROM images ORDER BY id")])
    classes = db.execute("SELECT count(*) FROM classes").fetchone()[0]
    meta = dict(db.execute("SELECT key, value FROM meta"))
    layer = db.execute("SELECT name FROM layers WHERE kind = 'logits'").fetchone()[0]
    steps = [r[0] for r in db.execute(
        "SELECT step FROM activations WHERE layer = ? ORDER BY step", (layer,))]

    def logits(step):
        blob = db.execute("SELECT data FROM activations WHERE step = ? AND layer = ?",
                          (step, layer)).fetchone()[0]
        return np.frombuffer(blob, dtype="<f4").reshape(len(labels), classes)

    return labels, steps, logits, meta


def softmax(logits):
    """float64 softmax of float32 logits, max subtracted, as deepscope computes it."""
    x = logits.astype(np.float64)
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def tie_decides(values, count, descending):
    """Whether taking `count` values from one end of `values` splits a group of equal ones."""
    if count <= 0 or count >= len(values):
        return False
    ordered = np.sort(values)[::-1] if descending else np.sort(values)
    return bool(ordered[count - 1] == ordered[count])


def rounding_ties(matrix):
    """Rows of a round_preserving_row_totals call whose rounding a tie decides."""
    ties = 0
    for row in np.asarray(matrix, dtype=float):
        ints = row.round()
        diff = int(np.round(np.sum(row).round() - np.sum(ints).round()))
        ties += tie_decides(row - ints, abs(diff), diff > 0)
    return ties


def ties_decided(labels, probs):
    """How many of cleanlab's choices (rounding the confident joint and the prune counts,
    cutting the margins) fall inside a group of equal values."""
    from cleanlab.count import compute_confident_joint
    from cleanlab.filter import _keep_at_least_n_per_class
    raw = compute_confident_joint(labels, probs, calibrate=False)
    counts = np.bincount(labels, minlength=probs.shape[1])
    cal = (raw.T / np.clip(raw.sum(axis=1), 1e-100, None) * counts).T
    cal = cal / np.clip(np.sum(cal), 1e-100, None) * counts.sum()
    ties = rounding_ties(cal)
    pcm = _keep_at_least_n_per_class(compute_confident_joint(labels, probs).T, 1)
    for k in range(probs.shape[1]):
        pk = probs[labels == k]
        for j in range(probs.shape[1]):
            if j != k:
                ties += tie_decides(pk[:, j] - pk[:, k], pcm[j][k], True)
    return ties


def answers(labels, probs, where):
    from cleanlab.count import compute_confident_joint, get_confident_thresholds
    from cleanlab.filter import find_label_issues
    issues = find_label_issues(labels, probs, filter_by="prune_by_noise_rate")
    by_sc = find_label_issues(labels, probs, filter_by="prune_by_noise_rate",
                              return_indices_ranked_by="self_confidence")
    by_nm = find_label_issues(labels, probs, filter_by="prune_by_noise_rate",
                              return_indices_ranked_by="normalized_margin")
    thresholds = get_confident_thresholds(labels, probs)
    ties = ties_decided(labels, probs)
    if ties:
        print(f"{where}: {ties} choices decided among equal values (numpy's portable "
              "argsort order)", file=sys.stderr)
    return {
        "issues": [int(i) for i in np.flatnonzero(issues)],
        "ranked_self_confidence": [int(i) for i in by_sc],
        "ranked_normalized_margin": [int(i) for i in by_nm],
        "confident_joint": compute_confident_joint(labels, probs).tolist(),
        "thresholds": [float(t) for t in thresholds],
        # The same as IEEE-754 bits, for an exact comparison (JSON readers may round).
        "thresholds_bits": [int(b) for b in np.asarray(thresholds, "<f8").view("<u8")],
    }


def versions():
    import cleanlab
    return {"cleanlab": cleanlab.__version__, "numpy": np.__version__,
            "numpy_kernels": "portable"}


def sample_fixture(path):
    labels, _, logits, _ = read_run(path)
    steps = {}
    for step in SAMPLE_STEPS:
        steps[str(step)] = answers(labels, softmax(logits(step)), f"sample step {step}")
        print(f"sample step {step}: {len(steps[str(step)]['issues'])} issues")
    return {**versions(), "steps": steps}


def synth_fixture(path):
    labels, steps, logits, meta = read_run(path)
    rounded = np.round(logits(steps[-1]).astype(np.float64), 3).astype(np.float32)
    fixture = answers(labels, softmax(rounded), "synthetic run")
    print(f"synthetic run: {len(fixture['issues'])} issues")
    fixture.update({
        **versions(),
        "labels": labels.tolist(),
        "flipped_labels": json.loads(meta.get("flipped_labels", "[]")),
        "logits": [[float(f"{v:.3f}") for v in row] for row in rounded],
    })
    return fixture


def adversary(n):
    """McIlroy's "killer adversary for quicksort" run against numpy's own argsort (of
    objects, same introsort): values that drive it to its heapsort fallback."""
    gas = n
    val = [gas] * n
    state = {"solid": 0, "candidate": 0}

    def freeze(i):
        val[i] = state["solid"]
        state["solid"] += 1

    class Item:
        def __init__(self, i):
            self.i = i

        def __lt__(self, other):
            x, y = self.i, other.i
            if val[x] == gas and val[y] == gas:
                freeze(x if x == state["candidate"] else y)
            if val[x] == gas:
                state["candidate"] = x
            elif val[y] == gas:
                state["candidate"] = y
            return val[x] < val[y]

    items = np.empty(n, dtype=object)
    items[:] = [Item(i) for i in range(n)]
    np.argsort(items)
    for i in range(n):
        if val[i] == gas:
            freeze(i)
    return np.array(val, dtype=float)


def argsort_fixture():
    """numpy's argsort of arrays with many ties, NaNs, and one that forces the heapsort."""
    rng = np.random.default_rng(18)
    arrays = [rng.integers(0, 4, n) * 0.25 for n in [2, 5, 10, 16, 17, 18, 40, 100, 300]]
    arrays.append(np.where(rng.random(60) < 0.2, np.nan, rng.integers(0, 5, 60) * 1.0))
    arrays.append(np.repeat([0.0, 1.0, 0.5], 40))
    arrays.append(adversary(100))
    cases = [{"values": [None if np.isnan(v) else float(v) for v in a],
              "argsort": [int(i) for i in np.argsort(a)]} for a in arrays]
    return {**versions(), "cases": cases}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: cleanlab_fixtures.py SAMPLE.sqlite SYNTH.sqlite")
    run_on_portable_kernels()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, fixture in [("cleanlab_sample.json", sample_fixture(sys.argv[1])),
                          ("cleanlab_synth.json", synth_fixture(sys.argv[2])),
                          ("cleanlab_argsort.json", argsort_fixture())]:
        (OUT / name).write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
        print(f"wrote {OUT / name} ({(OUT / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
