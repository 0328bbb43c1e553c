#!/usr/bin/env python3
"""Times the viewer's first useful frame in a real terminal: run it from that terminal as

    python3 scripts/first_frame.py times.log target/release/deepscope --images auto sample_data/mnist.sqlite

It starts the command in a pseudo-terminal of the same size placed between the terminal and
the command (everything is forwarded both ways, so graphics queries reach the terminal and
its answers come back), and appends to times.log the seconds from start until the first
braille map cell is written (a line "COMMAND<TAB>SECONDS", or None if none came). Quit the
viewer as usual. Compare `--images auto` with `--images none` in the same sitting.
"""
import fcntl
import os
import pty
import re
import select
import sys
import termios
import time
import tty

# Any braille character (U+2800..U+28FF) in UTF-8: the projection's map.
MAP = re.compile(b"\xe2[\xa0-\xa3]")


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    size = fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8)
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, size)
    saved = termios.tcgetattr(0)
    tty.setraw(0)
    tail, found = b"", None
    try:
        while True:
            ready, _, _ = select.select([0, fd], [], [], 0.5)
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
                os.write(1, data)
            if 0 in ready:
                os.write(fd, os.read(0, 1024))
    finally:
        termios.tcsetattr(0, termios.TCSAFLUSH, saved)
        os.waitpid(pid, 0)
    with open(out, "a") as f:
        f.write(f"{' '.join(cmd)}\t{found}\n")


if __name__ == "__main__":
    main()
