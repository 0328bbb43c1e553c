"""Log a training run to a deepscope stats database, from any training loop.

Depends only on the standard library's sqlite3 and numpy. Copy this file next to your
training script, then:

    import deepscope_log
    log = deepscope_log.Run("run.sqlite", classes=names, labels=y_val, thumbnails=x_val_uint8)
    ...
    log.step(step, epoch=e, fc64=feats, logits=logits)   # arrays of N x dim, any float dtype

Each step is written in one transaction, in WAL mode, so `deepscope run.sqlite` can watch
the run while it trains and never sees half a step. Everything is validated before anything
is written: a wrong N, a wrong width for a known layer, NaN or infinite values raise
ValueError and leave the file as it was. Reopening an existing file appends to it (its
classes and labels must match). Layers named 'logits' or 'probs' are class scores, any other
is 'features'; pass kinds={"name": "probs"} to say otherwise. PyTorch tensors: pass
`t.detach().cpu().numpy()` (or anything numpy.asarray accepts).

The format (schema version 1) is documented in deepscope's docs/schema.md.
"""

import os
import sqlite3
import time

import numpy as np

APPLICATION_ID = 1146114883  # 'DPSC'
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE classes (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE images (
  id    INTEGER PRIMARY KEY,
  label INTEGER NOT NULL REFERENCES classes(id),
  name  TEXT,
  split TEXT
);
CREATE TABLE thumbnails (
  image    INTEGER PRIMARY KEY REFERENCES images(id),
  width    INTEGER NOT NULL, height INTEGER NOT NULL,
  channels INTEGER NOT NULL CHECK (channels IN (1, 3)),
  pixels   BLOB NOT NULL
);
CREATE TABLE layers (
  name TEXT PRIMARY KEY,
  dim  INTEGER NOT NULL CHECK (dim > 0),
  kind TEXT NOT NULL CHECK (kind IN ('features', 'logits', 'probs'))
);
CREATE TABLE steps (step INTEGER PRIMARY KEY, epoch REAL, wall_time REAL);
CREATE TABLE activations (
  step  INTEGER NOT NULL REFERENCES steps(step),
  layer TEXT NOT NULL REFERENCES layers(name),
  data  BLOB NOT NULL,
  PRIMARY KEY (step, layer)
);
"""
KINDS = ("features", "logits", "probs")


def _kind_of(name, kinds):
    kind = kinds.get(name, name if name in ("logits", "probs") else "features")
    if kind not in KINDS:
        raise ValueError(f"layer {name!r}: kind {kind!r} is not one of {KINDS}")
    return kind


def _as_matrix(name, values, n):
    """An N x dim little-endian float32 matrix, or ValueError saying what is wrong."""
    try:
        a = np.asarray(values)
    except Exception as e:  # e.g. a CUDA tensor
        raise ValueError(f"layer {name!r}: cannot convert to a numpy array ({e}); "
                         "pass tensor.detach().cpu().numpy()") from e
    if a.ndim < 1 or a.shape[0] != n:
        raise ValueError(f"layer {name!r}: {a.shape[0] if a.ndim else 'a scalar'} rows, "
                         f"expected one per image ({n})")
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise ValueError(f"layer {name!r}: dtype {a.dtype} is not numeric")
    a = a.reshape(n, -1)  # conv maps etc. are flattened per image
    if a.shape[1] == 0:
        raise ValueError(f"layer {name!r}: no values per image")
    a = np.ascontiguousarray(a, dtype="<f4")
    bad = ~np.isfinite(a)
    if bad.any():
        first = int(np.argmax(bad.any(axis=1)))
        raise ValueError(f"layer {name!r}: {int(bad.sum())} NaN or infinite values "
                         f"(first in image {first})")
    return a


class Run:
    """One stats database being written. Use as a context manager or call close()."""

    def __init__(self, path, classes, labels, thumbnails=None, image_names=None,
                 split=None, meta=None, kinds=None):
        self.path = os.fspath(path)
        self.kinds = dict(kinds or {})
        classes = [str(c) for c in classes]
        labels = np.asarray(labels)
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be a 1-D array of ints, got {labels.dtype} "
                             f"of shape {labels.shape}")
        if len(classes) == 0 or len(labels) == 0:
            raise ValueError("a run needs at least one class and one image")
        if labels.min() < 0 or labels.max() >= len(classes):
            raise ValueError(f"labels must be in 0..{len(classes) - 1}, found "
                             f"{labels.min()}..{labels.max()}")
        self.n = len(labels)
        if os.path.exists(self.path):
            self._db = self._open_existing(classes, labels)
        else:
            thumbs = self._check_thumbnails(thumbnails)
            if image_names is not None and len(image_names) != self.n:
                raise ValueError(f"{len(image_names)} image names for {self.n} images")
            self._db = self._create(classes, labels, thumbs, image_names, split, meta)
        self.layers = dict(self._db.execute("SELECT name, dim FROM layers"))

    def _connect(self):
        db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    def _open_existing(self, classes, labels):
        db = self._connect()
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID or version != SCHEMA_VERSION:
            db.close()
            raise ValueError(f"{self.path}: not a deepscope stats database of schema "
                             f"version {SCHEMA_VERSION}")
        have_classes = [r[0] for r in db.execute("SELECT name FROM classes ORDER BY id")]
        have_labels = [r[0] for r in db.execute("SELECT label FROM images ORDER BY id")]
        if have_classes != classes or have_labels != labels.tolist():
            db.close()
            raise ValueError(f"{self.path}: exists with other classes or labels; "
                             "append only to the run it was created for")
        return db

    def _check_thumbnails(self, thumbnails):
        if thumbnails is None:
            return None
        t = np.asarray(thumbnails)
        if t.shape[0] != self.n or t.ndim not in (3, 4) or (t.ndim == 4 and t.shape[3] not in (1, 3)):
            raise ValueError(f"thumbnails must be N x H x W or N x H x W x 3 with N = {self.n}, "
                             f"got shape {t.shape}")
        if t.dtype != np.uint8:
            if np.issubdtype(t.dtype, np.floating) and t.size and t.max() <= 1.0:
                t = t * 255.0  # images in [0, 1]
            t = np.clip(np.rint(t), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(t)

    def _create(self, classes, labels, thumbs, image_names, split, meta):
        db = self._connect()
        try:
            db.execute("BEGIN")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            entries = {"created": time.strftime("%Y-%m-%dT%H:%M:%S"), **(meta or {})}
            db.executemany("INSERT INTO meta VALUES (?, ?)",
                           [(str(k), str(v)) for k, v in entries.items()])
            db.executemany("INSERT INTO classes VALUES (?, ?)", list(enumerate(classes)))
            names = image_names if image_names is not None else [None] * self.n
            db.executemany("INSERT INTO images VALUES (?, ?, ?, ?)",
                           [(i, int(l), None if nm is None else str(nm), split)
                            for i, (l, nm) in enumerate(zip(labels, names))])
            if thumbs is not None:
                h, w = thumbs.shape[1], thumbs.shape[2]
                c = 1 if thumbs.ndim == 3 else thumbs.shape[3]
                db.executemany("INSERT INTO thumbnails VALUES (?, ?, ?, ?, ?)",
                               [(i, w, h, c, thumbs[i].tobytes()) for i in range(self.n)])
            db.execute("COMMIT")
        except BaseException:
            db.close()
            os.remove(self.path)
            raise
        return db

    def step(self, step, epoch=None, wall_time=None, **layers):
        """Logs one checkpoint: keyword arguments are layer name = N x dim array."""
        if not layers:
            raise ValueError("step() needs at least one layer, e.g. logits=...")
        matrices = {name: _as_matrix(name, values, self.n) for name, values in layers.items()}
        new = {}
        for name, a in matrices.items():
            dim = a.shape[1]
            if name in self.layers:
                if self.layers[name] != dim:
                    raise ValueError(f"layer {name!r}: {dim} values per image, but earlier "
                                     f"steps logged {self.layers[name]}")
            else:
                kind = _kind_of(name, self.kinds)
                n_classes = self._db.execute("SELECT count(*) FROM classes").fetchone()[0]
                if kind != "features" and dim != n_classes:
                    raise ValueError(f"layer {name!r} of kind {kind}: {dim} columns, expected "
                                     f"one per class ({n_classes})")
                new[name] = (dim, kind)
        wall_time = time.time() if wall_time is None else wall_time
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for name, (dim, kind) in new.items():
                db.execute("INSERT INTO layers VALUES (?, ?, ?)", (name, dim, kind))
            db.execute("INSERT INTO steps VALUES (?, ?, ?) ON CONFLICT(step) DO UPDATE SET "
                       "epoch = excluded.epoch, wall_time = excluded.wall_time",
                       (int(step), None if epoch is None else float(epoch), float(wall_time)))
            db.executemany("INSERT OR REPLACE INTO activations VALUES (?, ?, ?)",
                           [(int(step), name, a.tobytes()) for name, a in matrices.items()])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for name, (dim, _) in new.items():
            self.layers[name] = dim

    def close(self):
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
