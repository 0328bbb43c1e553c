#!/usr/bin/env python3
"""10-NN label accuracy of every 2-D map in a directory (files NAME_N{n}.npy, rows = the
first n points of anchors.py's D=64 mixture, labels from DUMP_DIR/y_D64.npy): the fraction
of points whose 10 nearest neighbours in the map mostly carry the point's own label.
Complements ../shared/bench/kl_eval.py (KL, neighbourhood preservation).
Run: /tmp/anchors/bin/python benches/label_knn.py MAPS_DIR DUMP_DIR
"""
import glob
import os
import re
import sys

import numpy as np
from sklearn.neighbors import NearestNeighbors


def main():
    maps, dump = sys.argv[1], sys.argv[2]
    y_all = np.load(os.path.join(dump, "y_D64.npy"))
    for f in sorted(glob.glob(os.path.join(maps, "*_N*.npy"))):
        name = os.path.basename(f)[:-4]
        n = int(re.search(r"_N(\d+)$", name).group(1))
        Y, y = np.load(f).astype(np.float64), y_all[:n]
        _, idx = NearestNeighbors(n_neighbors=11).fit(Y).kneighbors(Y)
        votes = np.apply_along_axis(np.bincount, 1, y[idx[:, 1:]], minlength=y.max() + 1)
        print(f"{name:<36} n={n:<6} label_knn10={(votes.argmax(1) == y).mean():.4f}")


if __name__ == "__main__":
    main()
