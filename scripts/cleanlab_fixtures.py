#!/usr/bin/env python3
"""Writes cleanlab's answers as small JSON fixtures for tests/suspects.rs, so the tests can
check deepscope's confident learning against cleanlab without cleanlab installed.

    python3 -m venv /tmp/cl && /tmp/cl/bin/pip install cleanlab
    cargo run --release -- synth /tmp/cl_synth.sqlite --images 240 --classes 5 --dim 8 \
        --steps 6 --superclasses 2 --seed 3 --label-noise 0.1
    /tmp/cl/bin/python scripts/cleanlab_fixtures.py sample_data/mnist.sqlite /tmp/cl_synth.sqlite

For the sample (committed with the repository) the fixture holds cleanlab's answers at a few
steps; the test reads the logits from the sample itself. A synthetic run's floats depend on
the machine's arithmetic, so its fixture carries its own logits (rounded to 3 decimals, as
float32) with the labels, and the answers for those.

Probabilities are the float64 softmax of the float32 logits (max subtracted), as deepscope
computes them. numpy's argsort does not fix the order of equal values; the script reports
any tie that decides cleanlab's answer, since there the answer depends on numpy's sort.
"""
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import cleanlab
from cleanlab.filter import find_label_issues
from cleanlab.count import compute_confident_joint, get_confident_thresholds

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
SAMPLE_STEPS = [10, 100, 1000, 6000]


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
    x = logits.astype(np.float64)
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def ties_at_cuts(labels, probs):
    """Counts prune cuts of cleanlab's _prune_by_count that fall inside a group of equal
    margins (where the flagged images depend on how numpy orders ties)."""
    from cleanlab.filter import _keep_at_least_n_per_class
    cj = compute_confident_joint(labels, probs)
    pcm = _keep_at_least_n_per_class(cj.T, 1)
    ties = 0
    for k in range(probs.shape[1]):
        pk = probs[labels == k]
        for j in range(probs.shape[1]):
            n = pcm[j][k]
            if j == k or n <= 0 or n >= len(pk):
                continue
            margin = np.sort(pk[:, j] - pk[:, k])[::-1]
            ties += int(margin[n - 1] == margin[n])
    return ties


def answers(labels, probs):
    issues = find_label_issues(labels, probs, filter_by="prune_by_noise_rate")
    by_sc = find_label_issues(labels, probs, filter_by="prune_by_noise_rate",
                              return_indices_ranked_by="self_confidence")
    by_nm = find_label_issues(labels, probs, filter_by="prune_by_noise_rate",
                              return_indices_ranked_by="normalized_margin")
    ties = ties_at_cuts(labels, probs)
    if ties:
        print(f"warning: {ties} prune cuts fall in ties of equal margins", file=sys.stderr)
    return {
        "issues": [int(i) for i in np.flatnonzero(issues)],
        "ranked_self_confidence": [int(i) for i in by_sc],
        "ranked_normalized_margin": [int(i) for i in by_nm],
        "confident_joint": compute_confident_joint(labels, probs).tolist(),
        "thresholds": [float(t) for t in get_confident_thresholds(labels, probs)],
    }


def sample_fixture(path):
    labels, _, logits, _ = read_run(path)
    steps = {}
    for step in SAMPLE_STEPS:
        steps[str(step)] = answers(labels, softmax(logits(step)))
        print(f"sample step {step}: {len(steps[str(step)]['issues'])} issues")
    return {"cleanlab": cleanlab.__version__, "numpy": np.__version__, "steps": steps}


def synth_fixture(path):
    labels, steps, logits, meta = read_run(path)
    rounded = np.round(logits(steps[-1]).astype(np.float64), 3).astype(np.float32)
    fixture = answers(labels, softmax(rounded))
    print(f"synthetic run: {len(fixture['issues'])} issues")
    fixture.update({
        "cleanlab": cleanlab.__version__,
        "numpy": np.__version__,
        "labels": labels.tolist(),
        "flipped_labels": json.loads(meta.get("flipped_labels", "[]")),
        "logits": [[float(f"{v:.3f}") for v in row] for row in rounded],
    })
    return fixture


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: cleanlab_fixtures.py SAMPLE.sqlite SYNTH.sqlite")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, fixture in [("cleanlab_sample.json", sample_fixture(sys.argv[1])),
                          ("cleanlab_synth.json", synth_fixture(sys.argv[2]))]:
        (OUT / name).write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
        print(f"wrote {OUT / name} ({(OUT / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
