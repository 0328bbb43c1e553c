"""The stats database file: what an existing file is (read without changing it), and atomic
creation.

A new run is written in full under a temporary name in the same directory and then linked to
its final name, which fails if that name exists: two processes creating the same run at once
cannot both win, the loser deletes only its own temporary file, and a viewer never sees a
half-made run. An existing file is judged from its header bytes before SQLite opens it for
writing, so an unrelated or newer file is refused without being switched to WAL or grown.
"""

import errno
import os
import sqlite3
import struct
import uuid

APPLICATION_ID = 1146114883  # 'DPSC'
SCHEMA_VERSION = 1
# The CREATE TABLE statements of deepscope's src/store/schema.sql (a test keeps them equal).
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
_MAGIC = b"SQLite format 3\x00"


def identify(path):
    """What the existing file at `path` is, from its bytes alone: 'empty', 'deepscope' (this
    schema version), or a ValueError naming the problem. Nothing is written."""
    with open(path, "rb") as f:
        header = f.read(100)
    if not header:
        return "empty"
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise ValueError(f"{path}: not an SQLite database, so not a deepscope stats database")
    (version,) = struct.unpack(">i", header[60:64])
    (app_id,) = struct.unpack(">i", header[68:72])
    if app_id != APPLICATION_ID and header[18] == 2 and _has_log(path):
        # A WAL-mode file whose header may still be in its -wal: ask SQLite, read-only.
        app_id, version = _pragmas_read_only(path)
    if app_id != APPLICATION_ID:
        raise ValueError(f"{path}: an SQLite database but not a deepscope stats database "
                         f"(application_id is {app_id}); left unchanged")
    if version > SCHEMA_VERSION:
        raise ValueError(f"{path}: written by a newer deepscope (schema version {version}; "
                         f"this logger writes {SCHEMA_VERSION}): upgrade it with "
                         "`pip install -U deepscope`; left unchanged")
    if version != SCHEMA_VERSION:
        raise ValueError(f"{path}: schema version {version} is not one this logger writes "
                         f"({SCHEMA_VERSION}); left unchanged")
    return "deepscope"


def _has_log(path):
    try:
        return os.path.getsize(path + "-wal") > 0
    except OSError:
        return False


def _pragmas_read_only(path):
    db = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True)
    try:
        return (db.execute("PRAGMA application_id").fetchone()[0],
                db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def _uri_path(path):
    return os.path.abspath(path).replace("?", "%3f").replace("#", "%23")


def connect(path):
    """A connection for writing steps; `path` is a deepscope file already in WAL mode."""
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def create(path, fill, replace=False):
    """Makes the run at `path` atomically: `fill(db)` writes its contents (in one transaction)
    into a temporary file, which then takes the final name. Without `replace`, an existing
    name raises FileExistsError and the temporary file is removed."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            # Activations are large BLOBs kept as chains of overflow pages: 64 KiB pages make
            # the chains 16 times shorter (as deepscope's own writer does).
            db.execute("PRAGMA page_size = 65536")
            db.execute("BEGIN")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            fill(db)
            db.execute("COMMIT")
            db.execute("PRAGMA journal_mode = WAL")  # recorded in the header, kept by the file
        finally:
            db.close()  # the last connection folds the -wal back in and removes it
        if replace:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    finally:
        for leftover in (tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"):
            try:
                os.remove(leftover)
            except FileNotFoundError:
                pass


def _link_new(tmp, path):
    """Gives `tmp` the name `path` only if nothing has that name (atomic on POSIX)."""
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            # A file system without hard links: an exclusive create, then the rename over it.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            try:
                os.replace(tmp, path)
            except BaseException:
                os.remove(path)  # the empty placeholder this process just made
                raise
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "created by another process meanwhile; pass "
                              "mode='append' to add to it or choose another path", path) from None
