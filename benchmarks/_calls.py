"""Runs a server module (as ``python -m`` would) and counts the function calls
it makes between two signals: ``bench_click.py --calls``.

    python benchmarks/_calls.py OUT MODULE [ARGS...]

``START`` (SIGRTMIN+1) starts counting, ``STOP`` (SIGRTMIN+2) stops and
writes OUT: one line per function called, ``count<TAB>kind<TAB>function``,
the most called first, where kind is ``py`` (a Python function; each time a
generator resumes counts, as the profiling hook sees it) or ``c`` (a builtin
or an extension's function). Unlike time on a noisy machine, the counts of
the same clicks come out the same from run to run: how much code a click
runs, which is what a cold click's time follows.
"""

from __future__ import annotations

import collections
import os
import runpy
import signal
import sys
from types import FrameType
from typing import Any

START = signal.SIGRTMIN + 1
STOP = signal.SIGRTMIN + 2


def main() -> None:
    out, module, *args = sys.argv[1:]
    counts: collections.Counter[tuple[str, str]] = collections.Counter()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            counts["py", f"{code.co_filename}:{code.co_firstlineno} {code.co_name}"] += 1
        elif event == "c_call":
            counts["c", getattr(arg, "__qualname__", repr(arg))] += 1

    def start(signum: int, frame: FrameType | None) -> None:
        counts.clear()
        sys.setprofile(profile)

    def stop(signum: int, frame: FrameType | None) -> None:
        sys.setprofile(None)
        with open(out + ".part", "w") as f:
            for (kind, name), count in counts.most_common():
                f.write(f"{count}\t{kind}\t{name}\n")
        os.replace(out + ".part", out)  # whole or not at all, for the one polling for it

    signal.signal(START, start)
    signal.signal(STOP, stop)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def per_call(path: str, calls: int) -> tuple[float, float, list[tuple[float, str]]]:
    """From a file OUT: Python and C calls per one of ``calls`` (clicks), and the
    Python functions called most, with their count per click."""
    python = c = 0
    top: list[tuple[float, str]] = []
    with open(path) as f:
        for line in f:
            count, kind, name = line.rstrip("\n").split("\t", 2)
            if kind == "py":
                python += int(count)
                if len(top) < 8:
                    top.append((int(count) / calls, name))
            else:
                c += int(count)
    return python / calls, c / calls, top


if __name__ == "__main__":
    main()
