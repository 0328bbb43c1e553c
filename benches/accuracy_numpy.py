"""The reference for `deepscope info`'s accuracy line (issue 17, goal 3): sqlite3 reads each
step's logits, numpy decodes them without a copy, takes the argmax and compares it with the
labels. Prints one accuracy per step.

Side by side, interleaved, with the agreement checked and the ratio printed:
    cargo bench --bench info
"""
import sqlite3
import sys

import numpy as np

db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
labels = np.array([r[0] for r in db.execute("SELECT label FROM images ORDER BY id")])
name, dim = db.execute("SELECT name, dim FROM layers WHERE kind = 'logits'").fetchone()
for step, blob in db.execute(
    "SELECT step, data FROM activations WHERE layer = ? ORDER BY step", (name,)
):
    logits = np.frombuffer(blob, "<f4").reshape(len(labels), dim)
    print(step, float((logits.argmax(axis=1) == labels).mean()))
