#!/usr/bin/env python3
"""scikit-learn's k-means on the bundled sample, the reference for tests/kmeans_quality.rs
and for `cargo bench --bench analysis` (which prints deepscope's figures beside these).

    OPENBLAS_CORETYPE=SkylakeX python3 benches/kmeans_reference.py [sample_data/mnist.sqlite]

For k = 10 and 30, KMeans(n_init=1, random_state=s) for s = 0..9 on fc64 at the last step:
median, worst and best inertia (recomputed in f64 from the labels and centres) and the
median fit time.
"""
import sqlite3
import sys
import time

import numpy as np
from sklearn.cluster import KMeans


def load(path):
    c = sqlite3.connect(path)
    step = c.execute("select max(step) from activations where layer = 'fc64'").fetchone()[0]
    dim = c.execute("select dim from layers where name = 'fc64'").fetchone()[0]
    blob = c.execute("select data from activations where layer = 'fc64' and step = ?",
                     (step,)).fetchone()[0]
    return np.frombuffer(blob, dtype="<f4").reshape(-1, dim)


def main():
    x = load(sys.argv[1] if len(sys.argv) > 1 else "sample_data/mnist.sqlite")
    x64 = x.astype(np.float64)
    KMeans(n_clusters=10, n_init=1, random_state=0).fit(x)  # warm-up (thread pools)
    for k in (10, 30):
        inertias, times = [], []
        for seed in range(10):
            t = time.perf_counter()
            km = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(x)
            times.append(time.perf_counter() - t)
            centres = km.cluster_centers_.astype(np.float64)[km.labels_]
            inertias.append(float(((x64 - centres) ** 2).sum()))
        print(f"k={k} scikit-learn n_init=1, seeds 0-9: median inertia {np.median(inertias):.1f}"
              f" worst {max(inertias):.1f} best {min(inertias):.1f}"
              f" median time {np.median(times) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
