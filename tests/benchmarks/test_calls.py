"""benchmarks/_calls.py: a server module's function calls, counted only between its two signals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks._calls import START, STOP, per_call

ROOT = Path(__file__).resolve().parents[2]

MODULE = """
import sys

def work():
    return len("x")

def before():
    pass

before()
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() == "go":
        for _ in range(5):
            work()
        print("done", flush=True)
    elif line.strip() == "exit":
        break
"""


def test_the_calls_between_start_and_stop_are_counted_and_no_others(tmp_path: Path) -> None:
    (tmp_path / "served.py").write_text(MODULE)
    out = tmp_path / "calls"
    command = [sys.executable, str(ROOT / "benchmarks" / "_calls.py"), str(out), "served"]
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    with subprocess.Popen(
        command, cwd=tmp_path, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        try:
            assert child.stdout.readline().strip() == "ready"
            os.kill(child.pid, START)
            child.stdin.write("go\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "done"
            os.kill(child.pid, STOP)
            child.stdin.write("go\nexit\n")  # called again after the stop: not counted
            child.stdin.flush()
            assert child.wait(timeout=30) == 0
        finally:
            child.kill()
    counted: dict[tuple[str, str], int] = {}
    for line in out.read_text().splitlines():
        count, kind, name = line.split("\t", 2)
        counted[kind, name.rsplit(" ", 1)[-1]] = int(count)
    assert counted.get(("py", "work")) == 5
    assert ("py", "before") not in counted and ("op", "before") not in counted
    # work() runs the same instructions each time: a multiple of 5 of them
    assert counted["op", "work"] > 5 and counted["op", "work"] % 5 == 0
    per_go = per_call(str(out), 5)
    assert per_go.python >= 1 and per_go.instructions >= counted["op", "work"] / 5
