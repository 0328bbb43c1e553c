#!/usr/bin/env python3
"""Times the viewer's first useful frame in a real terminal (issue 17, goal 1): run it from
that terminal (xterm, kitty, tmux, over ssh or not) as

    python3 benches/first_frame.py target/release/deepscope sample_data/mnist.sqlite

Each round starts the viewer twice, with `--images auto` (the default: it asks the terminal
which pictures it can show) and with `--images none` (the reference: no question asked), in
a pseudo-terminal of the same size placed between the terminal and the viewer. Everything is
forwarded both ways, so graphics queries reach the terminal and its answers come back. The
time is from start until the first braille map cell is written; then the viewer is sent `q`.
At the end it prints the median of each and their ratio (auto / none), and appends the same
lines to --log when given. `--rounds N` (default 8) rounds, the two variants interleaved.
"""
import argparse
import fcntl
import os
import pty
import re
import select
import statistics
import sys
import termios
import time
import tty

# Any braille character (U+2800..U+28FF) in UTF-8: the projection's map.
MAP = re.compile(b"\xe2[\xa0-\xa3]")
# Give up on a viewer that shows no map within this many seconds.
TIMEOUT_S = 30.0


def first_map(cmd, size):
    """Seconds from start until the viewer wrote a braille cell (None if it never did)."""
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, size)
    tail, found, quit_at = b"", None, None
    while True:
        now = time.monotonic()
        if found is None and now - start > TIMEOUT_S and quit_at is None:
            quit_at = now
        ready, _, _ = select.select([0, fd], [], [], 0.1)
        if fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            if found is None:
                tail = (tail + data)[-4096:]
                if MAP.search(tail):
                    found = time.monotonic() - start
                    quit_at = time.monotonic() + 0.3
            os.write(1, data)
        if 0 in ready:
            os.write(fd, os.read(0, 1024))
        if quit_at is not None and time.monotonic() >= quit_at:
            os.write(fd, b"q")
            quit_at = float("inf")
    os.waitpid(pid, 0)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("deepscope")
    ap.add_argument("db")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--log")
    args = ap.parse_args()
    size = fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8)
    saved = termios.tcgetattr(0)
    tty.setraw(0)
    times = {"auto": [], "none": []}
    try:
        for _ in range(args.rounds):
            for images in times:
                cmd = [args.deepscope, "--images", images, args.db]
                times[images].append(first_map(cmd, size))
    finally:
        termios.tcsetattr(0, termios.TCSAFLUSH, saved)
    lines = [f"first map, {os.environ.get('TERM', '?')}, {args.rounds} rounds:"]
    medians = {}
    for images, found in times.items():
        shown = [t for t in found if t is not None]
        if len(shown) < len(found):
            lines.append(f"  --images {images}: {len(found) - len(shown)} runs showed no map")
        if shown:
            medians[images] = statistics.median(shown)
            lines.append(f"  --images {images}: median {medians[images]:.3f} s")
    if len(medians) == 2 and medians["none"] > 0:
        lines.append(f"  ratio auto / none: {medians['auto'] / medians['none']:.2f}")
    print("\r\n".join(lines), end="\r\n")
    if args.log:
        with open(args.log, "a") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
