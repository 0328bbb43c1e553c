"""Kept for training scripts written against the single-file logger: deepscope's logger is now
the package `deepscope` (`pip install deepscope`, then `from deepscope import Run`). With this
file beside the `deepscope` folder (as in a clone, where both are under python/),
`import deepscope_log; deepscope_log.Run(...)` keeps working. A script that copied the old
single file should copy the `deepscope` folder instead, or install the package.
"""

from deepscope import APPLICATION_ID, SCHEMA_VERSION, Run, __version__  # noqa: F401
