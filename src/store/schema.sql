PRAGMA application_id = 1146114883;
PRAGMA user_version = 1;
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
