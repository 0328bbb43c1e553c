#!/usr/bin/env python3
"""The reference side of `cargo bench --bench analysis`, fast enough to interleave with it:
only the rows of the kernel table (PCA, exact 10-NN, logit correlation, k-means), timed with
../shared/bench/anchors.py's own harness and data, written in its JSON format.

    OPENBLAS_CORETYPE=SkylakeX python3 benches/kernel_reference.py DUMP_DIR [JSON]

DEEPSCOPE_BENCH_ONLY=kmeans,simmat runs only those sections (the Rust bench reads the same
variable), so the two sides time the same rows.

(OPENBLAS_CORETYPE=SkylakeX only where lscpu lists avx512f; check the kernel with
threadpoolctl, which this script prints.)

DUMP_DIR is the folder `anchors.py --dump` wrote (the data is regenerated the same way,
seeded); JSON defaults to DUMP_DIR/anchors.json, where the Rust bench reads it.
"""
import json
import os
import sys

import numpy as np

# anchors.py lives in ../shared/bench beside the repository (or where ANCHORS_DIR says).
sys.path.insert(0, os.environ.get("ANCHORS_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
import anchors as a  # noqa: E402


def pca():
    from sklearn.decomposition import PCA
    for d in (64, 512):
        X, *_ = a.data(d, a.N_FULL)
        for n in (10_000, 50_000, 200_000):
            Xn = np.ascontiguousarray(X[:n])
            shape = f"N={n} D={d} f32"
            med, ts, _ = a.bench(lambda: PCA(n_components=2, svd_solver="covariance_eigh")
                                 .fit_transform(Xn))
            a.record("pca", "sklearn PCA", "fit_transform covariance_eigh", shape, med, ts)

            def np_pca():
                mu = Xn.mean(axis=0)
                Xc = Xn - mu
                C = (Xc.T @ Xc) / (n - 1)
                w, V = np.linalg.eigh(C)
                return Xc @ V[:, ::-1][:, :2]
            med, ts, _ = a.bench(np_pca)
            a.record("pca", "numpy cov+eigh", "fit_transform", shape, med, ts)


def knn():
    import faiss
    for d in (64, 512):
        X, _, Q, _ = a.data(d, a.N_FULL)
        for n in (50_000, 200_000):
            Xn = np.ascontiguousarray(X[:n])
            shape = f"M=1000 N={n} D={d}"
            med, ts, _ = a.bench(lambda: a.np_knn(Xn, Q, 10))
            a.record("knn", "numpy GEMM brute", "query (exact)", shape, med, ts)
            index = faiss.IndexFlatL2(d)
            index.add(Xn)
            med, ts, _ = a.bench(lambda: index.search(Q, 10))
            a.record("knn", "faiss IndexFlatL2", "query (exact)", shape, med, ts)
    # All pairs, as the maps need them: every image's 10 nearest among the others (11 asked,
    # the image itself dropped), the Rust bench's `nearest_many` row.
    X, *_ = a.data(64, a.N_FULL)
    Xs = np.ascontiguousarray(X[:10_000])
    shape = "N=10000 D=64 all pairs"
    med, ts, _ = a.bench(lambda: a.np_knn(Xs, Xs, 11))
    a.record("knn", "numpy GEMM brute", "all pairs (exact)", shape, med, ts)
    index = faiss.IndexFlatL2(64)
    index.add(Xs)
    med, ts, _ = a.bench(lambda: index.search(Xs, 11))
    a.record("knn", "faiss IndexFlatL2", "all pairs (exact)", shape, med, ts)


def kmeans():
    from sklearn.cluster import KMeans
    X, *_ = a.data(64, 50_000)
    Xn = np.ascontiguousarray(X[:50_000])
    med, ts, km = a.bench(lambda: KMeans(n_clusters=30, n_init=1, random_state=0).fit(Xn))
    a.record("kmeans", "sklearn KMeans n_init=1", "fit (lloyd, k-means++)",
             "N=50000 D=64 k=30", med, ts, inertia=float(km.inertia_), iters=int(km.n_iter_))


def simmat():
    for k in (1000, 2622):
        L, _ = a.logits(50_000, k)
        med, ts, _ = a.bench(lambda: np.corrcoef(L, rowvar=False))
        a.record("simmat", "numpy corrcoef", "K x K Pearson", f"N=50000 K={k}", med, ts)


def main():
    dump = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(dump, "anchors.json")
    import sklearn.cluster  # noqa: F401  (so meta() sees every BLAS pool)
    import faiss  # noqa: F401
    meta = a.meta()
    for p in meta["threadpools"]:
        print("  threadpool:", p)
    only = os.environ.get("DEEPSCOPE_BENCH_ONLY")
    for section in (pca, knn, kmeans, simmat):
        if only is None or section.__name__ in only.split(","):
            section()
    with open(out, "w") as f:
        json.dump(dict(meta=meta, quick=False, results=a.RESULTS), f, indent=1)
    print(f"results in {out}")


if __name__ == "__main__":
    main()
