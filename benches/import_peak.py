#!/usr/bin/env python3
"""import's peak memory against the largest array it imports (issue 17, goal 5), on the
issue's case: one step of 50,000 x 2,622 float32 logits (524 MB) with its labels.

    python3 benches/import_peak.py target/release/deepscope [IMAGES CLASSES]

Writes the step folder (numpy's .npy files) and the database in a temporary folder, runs
`deepscope import OUT --steps DIR --kind logits=logits` as a child process, and prints the child's
peak resident set (the resource module's figure for children), the array's size and their
ratio; the folder is removed afterwards. tests/import_memory.rs pins the bound on a smaller
array.
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__)
    binary = sys.argv[1]
    images, classes = (int(v) for v in sys.argv[2:4]) if len(sys.argv) == 4 else (50_000, 2_622)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        steps = os.path.join(tmp, "steps")
        step = os.path.join(steps, "step_000001")
        os.makedirs(step)
        logits = rng.standard_normal((images, classes), dtype=np.float32)
        np.save(os.path.join(step, "logits.npy"), logits)
        np.save(os.path.join(steps, "labels.npy"), rng.integers(0, classes, images))
        array = logits.nbytes
        del logits
        out = os.path.join(tmp, "run.sqlite")
        start = time.perf_counter()
        r = subprocess.run([binary, "import", out, "--steps", steps, "--kind", "logits=logits"],
                           capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if r.returncode != 0:
            sys.exit(f"import failed: {r.stderr.strip()}")
        # ru_maxrss is in KiB on Linux.
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    mb = 1e6
    print(f"import of {images:,} x {classes:,} float32 logits: {seconds:.2f} s")
    print(f"  largest array   {array / mb:8.0f} MB")
    print(f"  peak resident   {peak / mb:8.0f} MB")
    print(f"  ratio           {peak / array:8.2f} (goal: at most 1.5)")


if __name__ == "__main__":
    main()
