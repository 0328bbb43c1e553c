"""deepscope's suspected-label-error queue against cleanlab (issue 18, speed): confident
learning on one step (`deepscope suspects --method confident --step S`, end to end: process
start, reading the logits, softmax, confident learning, JSON out) against cleanlab's
`find_label_issues(labels, pred_probs, filter_by="prune_by_noise_rate",
return_indices_ranked_by="self_confidence")` on the same probabilities already in memory,
interleaved, median of the runs; then the whole queue (`--method combined`, every step's
logits read) a few times. Prints the medians and the ratios.

On a synthetic run (not committed; make it first, and delete it afterwards):
    deepscope synth /tmp/big.sqlite --images 50000 --classes 1000 --dim 8 --steps 10
    python3 benches/suspects_cleanlab.py target/release/deepscope /tmp/big.sqlite [RUNS]

numpy runs at its best: OpenBLAS's kernel is set to match the CPU (SkylakeX only where
lscpu lists avx512f) and reported with threadpoolctl; cleanlab picks its own process count.
"""
import os
import sqlite3
import statistics
import subprocess
import sys
import time


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


flags = cpu_flags()
os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX" if "avx512f" in flags else "Haswell")

import numpy as np  # noqa: E402  (after OPENBLAS_CORETYPE)
from cleanlab.filter import find_label_issues  # noqa: E402


def read_step(path, step=None):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    labels = np.array([r[0] for r in db.execute("SELECT label FROM images ORDER BY id")])
    name, dim = db.execute("SELECT name, dim FROM layers WHERE kind = 'logits'").fetchone()
    if step is None:
        step = db.execute("SELECT max(step) FROM activations WHERE layer = ?",
                          (name,)).fetchone()[0]
    blob = db.execute("SELECT data FROM activations WHERE step = ? AND layer = ?",
                      (step, name)).fetchone()[0]
    return labels, np.frombuffer(blob, "<f4").reshape(len(labels), dim), step


def softmax(logits):
    x = logits.astype(np.float64)
    x -= x.max(axis=1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=1, keepdims=True)
    return x


def timed(f):
    start = time.perf_counter()
    out = f()
    return time.perf_counter() - start, out


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: suspects_cleanlab.py DEEPSCOPE RUN.sqlite [RUNS]")
    exe, run = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            print(f"{pool['internal_api']} {pool.get('version')} {pool.get('architecture')} "
                  f"threads={pool['num_threads']}")
    except ImportError:
        print("threadpoolctl not installed: BLAS kernel not reported")
    labels, logits, step = read_step(run)
    probs = softmax(logits)
    print(f"{run}: {probs.shape[0]} images x {probs.shape[1]} classes, step {step}")
    command = [exe, "suspects", run, "--method", "confident", "--step", str(step), "--json"]
    ours, theirs = [], []
    for _ in range(runs):
        t, out = timed(lambda: subprocess.run(command, check=True, capture_output=True))
        ours.append(t)
        t, ranked = timed(lambda: find_label_issues(
            labels, probs, filter_by="prune_by_noise_rate",
            return_indices_ranked_by="self_confidence"))
        theirs.append(t)
    flagged = out.stdout.count(b'"image"')
    print(f"one step, confident learning: deepscope {statistics.median(ours):.2f} s "
          f"(end to end), cleanlab {statistics.median(theirs):.2f} s (probabilities in "
          f"memory); cleanlab / deepscope = {statistics.median(theirs) / statistics.median(ours):.1f}"
          f"; {flagged} and {len(ranked)} images flagged")
    full = [timed(lambda: subprocess.run(
        [exe, "suspects", run, "--method", "combined", "--json"],
        check=True, capture_output=True))[0] for _ in range(max(3, runs // 2))]
    print(f"whole queue (combined, every step): deepscope {statistics.median(full):.2f} s "
          f"(median of {len(full)})")


if __name__ == "__main__":
    main()
