"""`Run`: one stats database being written by a training loop, a step at a time."""

import math
import numbers
import os
import sqlite3
import time

import numpy as np

from . import _arrays, _file

KINDS = ("features", "logits", "probs")
MODES = ("new", "append", "overwrite")
MAX_STEP = 2**63 - 1  # SQLite's INTEGER


def _kind_of(name, kinds):
    kind = kinds.get(name, name if name in ("logits", "probs") else "features")
    if kind not in KINDS:
        raise ValueError(f"layer {name!r}: kind {kind!r} is not one of {KINDS}")
    return kind


def _check_step(step):
    if isinstance(step, (bool, np.bool_)) or not isinstance(step, numbers.Integral):
        raise ValueError(f"step must be an integer >= 0, got {step!r} ({type(step).__name__})")
    if not 0 <= int(step) <= MAX_STEP:
        raise ValueError(f"step must be an integer in 0..{MAX_STEP}, got {int(step)}")
    return int(step)


def _check_real(what, value):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{what} must be a finite number, got {float(value)}")
    return float(value)


def _check_classes(classes):
    names = [str(c) for c in classes]
    if not names:
        raise ValueError("a run needs at least one class")
    seen = {}
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"class names must differ: {name!r} is class {seen[name]} and {i}")
        seen[name] = i
    return names


class Run:
    """One stats database being written. Use as a context manager or call close().

    mode: "new" (default) refuses an existing path; "append" adds steps to the run at that
    path (same classes and labels) or creates it; "overwrite" replaces a deepscope run (or an
    empty file) at that path. Files that are not deepscope runs are never changed.
    """

    def __init__(self, path, classes, labels, thumbnails=None, image_names=None,
                 split=None, meta=None, kinds=None, mode="new", thumbnail_mean=None,
                 thumbnail_std=None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.path = os.fspath(path)
        self.kinds = dict(kinds or {})
        self._db = None
        classes = _check_classes(classes)
        labels = _arrays.labels(labels)
        if len(labels) == 0:
            raise ValueError("a run needs at least one image")
        if labels.min() < 0 or labels.max() >= len(classes):
            raise ValueError(f"labels must be in 0..{len(classes) - 1}, found "
                             f"{labels.min()}..{labels.max()}")
        self.n, self.num_classes = len(labels), len(classes)
        existing = _file.identify(self.path) if os.path.exists(self.path) else None
        if existing is not None and mode == "new":
            raise FileExistsError(f"{self.path} already exists: pass mode='append' to add steps "
                                  "to that run, or mode='overwrite' to replace it")
        if existing == "empty" and mode == "append":
            raise ValueError(f"{self.path}: an empty file, not a deepscope stats database; "
                             "left unchanged (mode='overwrite' replaces it)")
        if existing == "deepscope" and mode == "append":
            self._open_existing(classes, labels)
            return
        fill = self._filler(classes, labels, thumbnails, image_names, split, meta,
                            thumbnail_mean, thumbnail_std)
        if existing == "deepscope":
            _settle(self.path)
        try:
            _file.create(self.path, fill, replace=mode == "overwrite")
        except FileExistsError:
            if mode != "append":
                raise
            self._open_existing(classes, labels)  # another process created it meanwhile
            return
        self._db = _file.connect(self.path)
        self.layers = {}

    def _open_existing(self, classes, labels):
        _file.identify(self.path)
        db = _file.connect(self.path)
        have_classes = [r[0] for r in db.execute("SELECT name FROM classes ORDER BY id")]
        have_labels = [r[0] for r in db.execute("SELECT label FROM images ORDER BY id")]
        if have_classes != classes or have_labels != labels.tolist():
            db.close()
            raise ValueError(f"{self.path}: exists with other classes or labels; "
                             "append only to the run it was created for")
        self._db = db
        self.layers = dict(db.execute("SELECT name, dim FROM layers"))

    def _filler(self, classes, labels, thumbnails, image_names, split, meta, mean, std):
        """Checks everything a new run holds, then returns the function that writes it."""
        thumbs = None if thumbnails is None else _arrays.thumbnails(thumbnails, self.n, mean, std)
        if image_names is not None and len(image_names) != self.n:
            raise ValueError(f"{len(image_names)} image names for {self.n} images")
        from . import __version__
        entries = {"created": time.strftime("%Y-%m-%dT%H:%M:%S"), **(meta or {}),
                   "writer_version": __version__}
        names = image_names if image_names is not None else [None] * self.n
        images = [(i, int(l), None if nm is None else str(nm), split)
                  for i, (l, nm) in enumerate(zip(labels, names))]

        def fill(db):
            db.executemany("INSERT INTO meta VALUES (?, ?)",
                           [(str(k), str(v)) for k, v in entries.items()])
            db.executemany("INSERT INTO classes VALUES (?, ?)", list(enumerate(classes)))
            db.executemany("INSERT INTO images VALUES (?, ?, ?, ?)", images)
            if thumbs is not None:
                _, h, w, c = thumbs.shape
                db.executemany("INSERT INTO thumbnails VALUES (?, ?, ?, ?, ?)",
                               [(i, w, h, c, thumbs[i].tobytes()) for i in range(self.n)])
        return fill

    def step(self, step, epoch=None, wall_time=None, replace=False, **layers):
        """Logs one checkpoint: keyword arguments are layer name = N x dim array (or tensor,
        or list of per-batch pieces). Steps are integers >= 0 that increase; replace=True
        rewrites a step already logged, dropping every layer it had."""
        step = _check_step(step)
        epoch = _check_real("epoch", epoch)
        wall_time = _check_real("wall_time", time.time() if wall_time is None else wall_time)
        if not layers:
            raise ValueError("step() needs at least one layer, e.g. logits=...")
        matrices = {name: _arrays.matrix(f"step {step}, layer {name!r}", values, self.n)
                    for name, values in layers.items()}
        kinds = {name: _kind_of(name, self.kinds) for name in matrices}
        for name, a in matrices.items():
            if kinds[name] != "features" and a.shape[1] != self.num_classes:
                raise ValueError(f"layer {name!r} of kind {kinds[name]}: {a.shape[1]} columns, "
                                 f"expected one per class ({self.num_classes})")
        db = self._db
        if db is None:
            raise ValueError(f"{self.path}: the run is closed")
        db.execute("BEGIN IMMEDIATE")
        try:
            self._write(db, step, epoch, wall_time, replace, matrices, kinds)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _write(self, db, step, epoch, wall_time, replace, matrices, kinds):
        # Read inside the transaction: another process may append to the same run.
        self.layers = dict(db.execute("SELECT name, dim FROM layers"))
        for name, a in matrices.items():
            if name in self.layers and self.layers[name] != a.shape[1]:
                raise ValueError(f"layer {name!r}: {a.shape[1]} values per image, but earlier "
                                 f"steps logged {self.layers[name]}")
        last = db.execute("SELECT max(step) FROM steps").fetchone()[0]
        logged = db.execute("SELECT 1 FROM steps WHERE step = ?", (step,)).fetchone()
        if logged and not replace:
            raise ValueError(f"step {step} is already in {self.path}: steps must increase "
                             f"(the last is {last}); pass replace=True to rewrite it")
        if not logged and last is not None and step < last:
            raise ValueError(f"steps must increase: step {step} comes after step {last}")
        for name, a in matrices.items():
            if name not in self.layers:
                db.execute("INSERT INTO layers VALUES (?, ?, ?)", (name, a.shape[1], kinds[name]))
                self.layers[name] = a.shape[1]
        db.execute("DELETE FROM activations WHERE step = ?", (step,))
        db.execute("INSERT OR REPLACE INTO steps VALUES (?, ?, ?)", (step, epoch, wall_time))
        db.executemany("INSERT INTO activations VALUES (?, ?, ?)",
                       [(step, name, a.tobytes()) for name, a in matrices.items()])

    def close(self):
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _settle(path):
    """Folds a deepscope run's -wal back into it before the file is replaced, so that the
    new file does not meet the old one's log."""
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
