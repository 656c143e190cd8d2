#!/usr/bin/python3
# rusage.py - run a command and write "WALL USER SYS MAXRSS_KB" like /usr/bin/time -f "%e %U %S %M".
"""Stand-in for GNU time when /usr/bin/time is not installed.

    rusage.py -o FILE COMMAND [ARG...]

Runs COMMAND (stdin, stdout and stderr are passed through), then writes one
line "wall_s user_s sys_s maxrss_kb" to FILE, the figures of that child alone
(os.wait4), and exits with its status.
"""

import os
import sys
import time


def main():
    if len(sys.argv) < 4 or sys.argv[1] != "-o":
        sys.stderr.write("usage: rusage.py -o FILE COMMAND [ARG...]\n")
        return 2
    out, argv = sys.argv[2], sys.argv[3:]
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            sys.stderr.write("rusage.py: cannot run %s: %s\n" % (argv[0], e))
        os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - start
    with open(out, "w") as f:
        f.write("%.2f %.2f %.2f %d\n" % (wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
    return os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8


if __name__ == "__main__":
    sys.exit(main())
