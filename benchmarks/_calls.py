"""Runs a server module (as ``python -m`` would) and counts the function calls
it makes between two signals: ``bench_click.py --calls``.

    python benchmarks/_calls.py OUT MODULE [ARGS...]

``START`` (SIGRTMIN+1) starts counting, ``STOP`` (SIGRTMIN+2) stops and
writes OUT: one line per function called, ``count<TAB>kind<TAB>function``,
the most called first, where kind is ``py`` (a Python function; each time a
generator resumes counts, as the profiling hook sees it), ``c`` (a builtin
or an extension's function) or ``op`` (the bytecode instructions a Python
function ran, from a tracing hook). Unlike time on a noisy machine, the
counts of the same clicks come out the same from run to run: how much code
a click runs, which is what a cold click's time follows. Instructions follow
it closest: a call may run three of them or three hundred.
"""

from __future__ import annotations

import collections
import os
import runpy
import signal
import sys
from types import FrameType
from typing import Any, NamedTuple

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

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        # Called as a frame starts or resumes: its instructions are counted from then on.
        frame.f_trace_opcodes = True
        code = frame.f_code
        key = "op", f"{code.co_filename}:{code.co_firstlineno} {code.co_name}"

        def instruction(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "opcode":
                counts[key] += 1
            return instruction

        return instruction

    def start(signum: int, frame: FrameType | None) -> None:
        counts.clear()
        sys.setprofile(profile)
        sys.settrace(trace)

    def stop(signum: int, frame: FrameType | None) -> None:
        sys.settrace(None)
        sys.setprofile(None)
        with open(out + ".part", "w") as f:
            for (kind, name), count in counts.most_common():
                f.write(f"{count}\t{kind}\t{name}\n")
        os.replace(out + ".part", out)  # whole or not at all, for the one polling for it

    signal.signal(START, start)
    signal.signal(STOP, stop)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


class Counted(NamedTuple):
    """What a file OUT says, per one of ``calls`` (clicks)."""

    python: float
    """Python function calls."""
    c: float
    """Calls of builtins and extensions' functions."""
    instructions: float
    """Bytecode instructions run."""
    top: list[tuple[float, str]]
    """The Python functions that ran the most instructions, with their count."""


def per_call(path: str, calls: int, top: int = 8) -> Counted:
    """From a file OUT: the counts per one of ``calls`` (clicks)."""
    totals = {"py": 0, "c": 0, "op": 0}
    most: list[tuple[float, str]] = []
    with open(path) as f:
        for line in f:  # the most first
            count, kind, name = line.rstrip("\n").split("\t", 2)
            totals[kind] += int(count)
            if kind == "op" and len(most) < top:
                most.append((int(count) / calls, name))
    return Counted(totals["py"] / calls, totals["c"] / calls, totals["op"] / calls, most)


if __name__ == "__main__":
    main()
