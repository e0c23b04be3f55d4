# Start `roost run` as a real subprocess on a free port and stop it again,
# for tests that meet roost the way a user does.
from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOST = Path(sys.executable).with_name("roost")
_URL = re.compile(r"serving (http://\S+)")


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15.0) -> int:
        """Send ``sig``, wait for the exit, collect the rest of the output."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise
        self.output.append(out)
        self.stderr = err
        return self.process.returncode


@contextmanager
def roost_run(app: str, *extra: str, startup_timeout: float = 30.0) -> Iterator[Served]:
    """Run ``roost run APP --port 0`` and yield once it prints its URL."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [str(ROOST), "run", app, "--port", "0", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    url = _wait_for_url(process, lines, startup_timeout)
    served = Served(process, url, lines)
    try:
        yield served
    finally:
        if process.poll() is None:
            process.kill()
        if process.stdout is not None and not process.stdout.closed:
            process.communicate()  # reaps it and closes its pipes (killed by the test too)


def _wait_for_url(process: subprocess.Popen[str], lines: list[str], timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = _URL.search(line)
            if match:
                return match.group(1)
    process.kill()
    _, err = process.communicate()
    raise RuntimeError(f"roost run did not print its URL; stdout={lines!r} stderr={err[-3000:]}")
