# Start `roost run` as a real subprocess on a free port and stop it again,
# for tests that meet roost the way a user does.
from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

ROOT = Path(__file__).resolve().parent.parent
ROOST = Path(sys.executable).with_name("roost")
_URL = re.compile(r"serving (http://\S+)")
T = TypeVar("T")


class LineReader:
    """A child process's output pipe, read line by line with a deadline.

    It reads the pipe's file descriptor, never the buffered text wrapper
    around it: ``select`` cannot see lines that a wrapper's ``readline`` has
    already taken in, so waiting on ``select`` after ``readline`` can miss a
    line that arrived in the same read as the one before (and wait for ever).
    """

    def __init__(self, stream: IO[str]) -> None:
        self._fd = stream.fileno()
        self._pending = b""
        self._ready: deque[str] = deque()
        self.lines: list[str] = []
        """Every line read so far."""
        self.ended = False
        """The pipe has closed (the process exited)."""

    def rest(self) -> list[str]:
        """The lines (and a partial one) read from the pipe but not yet handed out."""
        rest = [*self._ready, *([self._pending.decode(errors="replace")] if self._pending else [])]
        self._ready.clear()
        self._pending = b""
        self.lines.extend(rest)
        return rest

    def until(self, found: Callable[[str], T | None], timeout: float) -> T | None:
        """Read lines until ``found(line)`` gives something (returned), the pipe
        ends or ``timeout`` seconds pass (None)."""
        deadline = time.monotonic() + timeout
        while True:
            while self._ready:
                line = self._ready.popleft()
                self.lines.append(line)
                if (result := found(line)) is not None:
                    return result
            remaining = deadline - time.monotonic()
            if self.ended or remaining <= 0 or not select.select([self._fd], [], [], remaining)[0]:
                return None
            chunk = os.read(self._fd, 65536)
            if not chunk:
                self.ended = True
                chunk = b"\n" if self._pending else b""
            *complete, self._pending = (self._pending + chunk).split(b"\n")
            self._ready.extend(raw.decode(errors="replace") + "\n" for raw in complete)


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
    reader = LineReader(process.stdout)
    url = reader.until(lambda line: m.group(1) if (m := _URL.search(line)) else None, timeout)
    reader.rest()  # what came with it stays in the output; the rest is read at the end
    lines.extend(reader.lines)
    if url is not None:
        return url
    process.kill()
    _, err = process.communicate()
    raise RuntimeError(f"roost run did not print its URL; stdout={lines!r} stderr={err[-3000:]}")
