"""deepscope's logger: write a training run to a stats database that the `deepscope` viewer
opens, from any training loop. numpy is its only dependency.

    from deepscope import Run
    with Run("run.sqlite", classes=names, labels=y_val, thumbnails=x_val) as log:
        for step in ...:
            log.step(step, epoch=e, fc64=features, logits=logits)

Each step is one transaction in WAL mode, so `deepscope run.sqlite` can watch the run while
it trains and never sees half a step. Everything is checked before anything is written.

What it takes:
- arrays: numpy arrays, anything numpy.asarray accepts, tensors (also ones that require grad
  or live on a GPU; bfloat16 and float16 become float32), or a list of per-batch pieces
  (concatenated). A layer is N x dim, or N x anything (flattened per image). Values must be
  finite and of magnitude at most 1e9 (beyond that float32 analyses could overflow).
- steps: integers >= 0 that increase; epoch and wall_time finite numbers. step(...,
  replace=True) rewrites a step already logged, with exactly the layers given.
- labels: integer class ids 0..K-1, one per image; classes: K distinct names.
- thumbnails: N x H x W, N x H x W x C or N x C x H x W (C = 1 or 3). uint8 is stored as it
  is, as are integers within 0..255; floats in [0, 1] are scaled by 255; with
  thumbnail_mean= and thumbnail_std= (scalars or one per channel) a normalisation
  x = (pixel - mean) / std is undone first; any other range is stretched from the set's
  minimum and maximum to 0..255. A set that would be drawn nearly black gives a warning.
- mode: "new" (the default) refuses an existing path, "append" adds steps to the run there
  (same classes and labels), "overwrite" replaces a deepscope run. Files that are not
  deepscope runs, or were written by a newer deepscope, are refused and left unchanged.

Layers named 'logits' or 'probs' are class scores, any other is 'features'; pass
kinds={"name": "probs"} to say otherwise. The format is documented in docs/schema.md.
"""

import os as _os
import re as _re

from ._file import APPLICATION_ID, SCHEMA_VERSION
from .run import Run

__all__ = ["Run", "APPLICATION_ID", "SCHEMA_VERSION", "__version__"]


def _version():
    # In a source checkout the version is the one in Cargo.toml beside python/; installed, it
    # is the wheel's, which maturin also takes from Cargo.toml.
    cargo = _os.path.join(_os.path.dirname(__file__), "..", "..", "Cargo.toml")
    try:
        with open(cargo, encoding="utf-8") as f:
            text = f.read()
        if _re.search(r'^name = "deepscope"$', text, _re.M):
            return _re.search(r'^version = "([^"]+)"$', text, _re.M).group(1)
    except OSError:
        pass
    try:
        from importlib.metadata import version
        return version("deepscope")
    except Exception:
        return "unknown"


__version__ = _version()
