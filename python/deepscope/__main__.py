"""`python -m deepscope [ARGS]`: runs the deepscope executable installed with this package,
for environments whose scripts directory is not on PATH."""

import os
import shutil
import subprocess
import sys
import sysconfig


def find_binary():
    """The deepscope executable of this installation, else the one on PATH, else None."""
    name = "deepscope.exe" if os.name == "nt" else "deepscope"
    schemes = [sysconfig.get_path("scripts")]
    if sys.version_info >= (3, 10):
        schemes.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    for directory in schemes:
        candidate = os.path.join(directory or "", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def main():
    binary = find_binary()
    if binary is None:
        sys.exit("deepscope: the deepscope executable is not installed beside this Python "
                 "package (reinstall with `pip install deepscope`, or build it with cargo)")
    if os.name == "nt":
        sys.exit(subprocess.call([binary, *sys.argv[1:]]))
    os.execv(binary, [binary, *sys.argv[1:]])  # the viewer takes over the terminal


if __name__ == "__main__":
    main()
