"""Broadcast to many subscribed sessions across worker processes (issue 17).

    python benchmarks/bench_broadcast.py [--sessions 10000] [--runs 3]
                                         [--setups 1:memory 2:redis] [--concurrency 64]

Issue 17's scenario: 10,000 sessions subscribed to one topic, spread over 2
workers of ``roost run --workers 2 --pubsub redis://...``; one of them
broadcasts; the time until every session has its patch.

For each setup (``WORKERS:PUBSUB``; the first is the baseline the others are
compared with, measured in the same run on the same machine) it starts
``roost run benchmarks.bench_broadcast:app --port 0 [--workers W]
[--pubsub redis://...]`` as a subprocess (a redis-server of its own on a free
port for ``redis``, started by this module, ``tests/redis_server.py``), and
drives it from this process with bench_scale's lean client (raw WebSocket
frames over trio TCP streams): each session GETs the page for its token, opens
its socket, joins (``--concurrency`` at a time) and idles, answering pings and
sending a heartbeat every 30 s; once all have joined, one epoll loop in a
thread reads every socket instead of a Trio task per session (``Observer``:
the tasks cost this client a core's worth of CPU a broadcast, taken from the
workers). The view (``Board``, below) subscribes to one
topic in ``mount``; its ``post`` event broadcasts a value on it, and each
subscriber shows the value followed by its worker's number, so the patch
every session receives says which worker it lives on (and when the first
session of that worker handled the message: ``handle_info``, on the clock all
processes of the machine share).

One broadcast is a warm-up (it also tells how the sessions are split between
the workers); then ``--runs`` broadcasts, each started by one session (the
first that joined) sending a ``post`` event. For each it measures, from the
moment the event was sent:

- **last**: the time until the last of the N sessions had received the patch
  carrying the new value (issue 17's figure);
- **first, p50 / p99** of the N per-session arrival times, and the arrival at
  the session that posted;
- per worker: when its first session handled the message (for a worker other
  than the poster's, the hop through Redis is in it), and its first and last
  patch;
- the **CPU time** the server's processes (each worker), redis-server and
  this client spent on it (read once everything is quiet again).

It prints each broadcast, then per setup the median over the runs, and the
ratio of each median to the baseline's. The client runs in this one process
and shares the machine's cores with the workers: reading 10,000 patches costs
it about 0.2 s of CPU, part of every figure, baseline included.

The app turns off the per-address limits (``address_rate=None``,
``max_pending_joins=None``) and the session cap (``max_sessions=None``),
since every session comes from this one client on 127.0.0.1. The open-files
limit of this process is raised to its hard limit (the servers inherit it);
each session is one socket on each side.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roost import App, LiveView, event, protocol  # noqa: E402

# -- the app the server runs ----------------------------------------------------------

TOPIC = "bench:broadcast"
WORKER = os.environ.get("ROOST_WORKER", "1")
"""This process's worker number (``roost run --workers`` sets it; 1 without)."""
_HANDLED: dict[str, float] = {}
"""When the first session of this process handled each broadcast value
(``time.monotonic``, the same clock in every process of the machine)."""


class Board(LiveView):
    """Subscribes in ``mount``; ``post`` broadcasts; a broadcast value is shown with
    the number of the worker that runs this session and the moment the first session
    of that worker handled it. Every session of a worker renders the same content
    (as in a chat room), so roost's sharing of identical renders applies."""

    def mount(self, params: dict[str, Any], session: dict[str, Any]) -> None:
        self.value = "-"
        self.subscribe(TOPIC)

    @event
    def post(self, value: str) -> None:
        self.broadcast(TOPIC, value)

    def handle_info(self, message: Any) -> None:
        handled = _HANDLED.setdefault(message, time.monotonic())
        self.value = f"{message} w{WORKER} h{handled:.6f}"

    def render(self) -> str:
        return f'<p id="value">{self.value}</p>'


app = App(
    {"/": Board},
    title="roost broadcast",
    address_rate=None,
    max_pending_joins=None,
    max_sessions=None,
    reconnect_grace=5.0,
)
"""The benchmark's app: one view, without the per-address limits or a session cap."""

# -- the server processes -----------------------------------------------------------------

import trio  # noqa: E402

from benchmarks.bench_scale import (  # noqa: E402
    Tab,
    client_collector_paused,
    client_frame,
    join_all,
    pct,
    server_frames,
)

ROOST = Path(sys.executable).with_name("roost")
_SERVING = re.compile(r"^roost: serving (http://\S+)")
_WORKER_UP = re.compile(r"^roost: worker (\d+) \(pid (\d+)\) serving")
_LEVEL = re.compile(r"^\d\d:\d\d:\d\d (\w+) ")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def open_files_limit(pid: int) -> str:
    """The soft limit on open files of process ``pid``, as /proc says it."""
    try:
        with open(f"/proc/{pid}/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    return line.split()[3]
    except OSError:
        pass
    return "?"


class Server:
    """``roost run APP --port 0 [--workers W] [--pubsub URL]``, in a process group of
    its own; returns once every worker serves. Its output is read by a thread, its
    errors go to a file."""

    def __init__(self, workers: int, pubsub: str | None, secret: str) -> None:
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench_broadcast_", suffix=".log")
        command = [str(ROOST), "run", "benchmarks.bench_broadcast:app", "--port", "0"]
        if workers > 1:
            command += ["--workers", str(workers)]
        if pubsub is not None:
            command += ["--pubsub", pubsub]
        env = dict(os.environ, PYTHONUNBUFFERED="1", ROOST_SECRET=secret)
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.final_log = ""
        self.url = ""
        self.worker_pids: dict[int, int] = {}
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        with self._changed:
            ready = self._changed.wait_for(
                lambda: (
                    (self.url and len(self.worker_pids) >= workers)
                    or self.process.poll() is not None
                ),
                timeout=60,
            )
        if not ready or self.process.poll() is not None:
            self.kill()
            raise RuntimeError(f"roost run did not start: {self.lines} {self.errors()[-2000:]}")
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self.host, self.port = host, int(port)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line)
                if match := _SERVING.search(line):
                    self.url = match.group(1)
                    if not self.worker_pids and "workers" not in line:
                        self.worker_pids[1] = self.process.pid  # one process, no workers
                elif match := _WORKER_UP.search(line):
                    self.worker_pids[int(match.group(1))] = int(match.group(2))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def cpu(self) -> dict[int, float]:
        """CPU seconds so far of each worker (of the one process, without workers)."""
        return {number: cpu_seconds(pid) for number, pid in sorted(self.worker_pids.items())}

    def errors(self) -> str:
        """What the server wrote to stderr (its log) so far."""
        if self.log.closed:
            return self.final_log
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def log_summary(self) -> str:
        """How many records of each level above INFO the server logged, and the first."""
        counts: dict[str, int] = {}
        first = ""
        for line in self.errors().splitlines():
            match = _LEVEL.match(line)
            if match and match.group(1) in ("WARNING", "ERROR", "CRITICAL"):
                counts[match.group(1)] = counts.get(match.group(1), 0) + 1
                first = first or line[:160]
        if not counts:
            return "no warnings or errors"
        listed = ", ".join(f"{n:,} {level}" for level, n in counts.items())
        return f"{listed}, the first: {first}"

    def restarts(self) -> list[str]:
        return [line.strip() for line in self.lines if "exited" in line]

    def stop(self, timeout: float = 60) -> float:
        """SIGINT (the workers get theirs from their parent); seconds until it exited."""
        begin = time.perf_counter()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            print(f"   ! roost run did not stop within {timeout:g} s: killed", flush=True)
        took = time.perf_counter() - begin
        self.final_log = self.errors()
        self.kill()
        return took

    def kill(self) -> None:
        # The whole group: a worker left behind by a parent that is gone too.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()


# -- the measurements ---------------------------------------------------------------------


@dataclass
class Broadcast:
    """One broadcast: each session's arrival time (seconds after the event was sent),
    and the CPU seconds each server process and redis-server spent on it."""

    arrivals: list[float]
    span_on: dict[int, tuple[float, float, float]]
    """For each worker: when its first session handled the message (``handle_info``),
    and the first and the last arrival among its sessions."""
    sender_at: float
    """The arrival at the session that posted."""
    missing: int
    cpu: dict[int, float]
    redis_cpu: float | None
    client_cpu: float

    @property
    def last(self) -> float:
        return max(self.arrivals) if self.arrivals and not self.missing else float("inf")

    def lines(self, name: str) -> list[str]:
        ms = [f"{pct(self.arrivals, q) * 1000:.0f}" for q in (0.0, 0.5, 0.99)]
        spans = "; ".join(
            f"w{n}: handled at {handled * 1000:.0f}, patches {first * 1000:.0f}-{last * 1000:.0f}"
            for n, (handled, first, last) in sorted(self.span_on.items())
        )
        workers = ", ".join(f"w{n} {s * 1000:.0f}" for n, s in self.cpu.items())
        redis = "" if self.redis_cpu is None else f", redis-server {self.redis_cpu * 1000:.0f}"
        missing = f"; ! {self.missing:,} sessions did not get it" if self.missing else ""
        return [
            f"   {name}: last {self.last * 1000:.0f} ms (first {ms[0]}, p50 {ms[1]}, p99 "
            f"{ms[2]}; at the session that posted {self.sender_at * 1000:.0f}){missing}",
            f"      {spans}",
            f"      CPU: server {sum(self.cpu.values()) * 1000:.0f} ms ({workers}{redis}), "
            f"this client {self.client_cpu * 1000:.0f} ms",
        ]


@dataclass
class Setup:
    workers: int
    pubsub: str
    joins_per_s: float = 0.0
    split: dict[int, int] = field(default_factory=dict)
    sender: int = 0
    warmup: Broadcast | None = None
    runs: list[Broadcast] = field(default_factory=list)

    @property
    def name(self) -> str:
        plural = "s" if self.workers > 1 else ""
        return f"{self.workers} worker{plural}, {self.pubsub} pubsub"

    def median(self, what: str) -> float:
        if what == "last":
            values = [run.last for run in self.runs]
        elif what == "cpu":
            values = [sum(run.cpu.values()) for run in self.runs]
        else:
            values = [pct(run.arrivals, float(what)) for run in self.runs]
        return statistics.median(values) if values else float("nan")


class Observer:
    """Every joined session's socket, read by one epoll loop in a thread.

    bench_scale's tabs each read their socket in a Trio task of their own: a
    broadcast to 10,000 of them costs this client 1-1.5 s of CPU (a task switch
    and a receive per frame), on a machine whose 2 cores the workers need.
    Once the sessions have joined, their tasks are stopped and this reads the
    same sockets (raw file descriptors, non-blocking) with ``select.epoll``.
    It answers pings, and sends each session a heartbeat once 30 s have passed
    since its last one (the server closes a socket silent for 75 s).
    """

    HEARTBEAT = 30.0

    def __init__(self, tabs: list[Tab]) -> None:
        self.tabs = {tab.stream.socket.fileno(): tab for tab in tabs if not tab.closed}
        self.closed: set[int] = set()
        self.beats = dict.fromkeys(self.tabs, time.monotonic())
        self.epoll = select.epoll(sizehint=len(self.tabs))
        for fd in self.tabs:
            self.epoll.register(fd, select.EPOLLIN)

    def send(self, fd: int, text: str, opcode: int = 0x1) -> None:
        try:
            os.write(fd, client_frame(text, opcode))
        except OSError:
            self._close(fd)

    def event(self, fd: int, handler: str, params: dict[str, Any]) -> None:
        tab = self.tabs[fd]
        message = protocol.Event(ref=tab.ref(), handler=handler, params=params)
        self.send(fd, protocol.encode(message))

    def heartbeats(self) -> None:
        now = time.monotonic()
        for fd, tab in self.tabs.items():
            if fd not in self.closed and now - self.beats[fd] >= self.HEARTBEAT:
                self.send(fd, json.dumps([2, tab.ref()]))
                self.beats[fd] = now

    def read(
        self,
        until: float,
        on_text: Callable[[int, bytes], bool] = lambda fd, payload: False,
        quiet: float | None = None,
    ) -> None:
        """Read until ``until`` (``time.monotonic``), until ``on_text`` (called with
        each text frame) has returned True, or until nothing came for ``quiet`` s."""
        frames = server_frames
        done = False
        while not done:
            left = until - time.monotonic()
            if left <= 0:
                return
            ready = self.epoll.poll(min(left, 1.0 if quiet is None else quiet))
            if not ready and quiet is not None:
                return
            for fd, _ in ready:
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self._close(fd)
                    continue
                buffer = self.tabs[fd].buffer
                buffer += data
                for opcode, payload in frames(buffer):
                    if opcode == 0x1:
                        done = on_text(fd, payload) or done
                    elif opcode == 0x9:
                        self.send(fd, payload.decode(), 0xA)
                    elif opcode == 0x8:
                        self._close(fd)

    def _close(self, fd: int) -> None:
        if fd not in self.closed:
            self.closed.add(fd)
            self.epoll.unregister(fd)
            self.tabs[fd].closed = True

    def close(self) -> None:
        self.epoll.close()


def broadcast(
    observer: Observer, server: Server, number: int, redis_pid: int | None, limit: float
) -> tuple[Broadcast, dict[int, int]]:
    """The first session joined posts a new value; every session's arrival time of the
    patch with it, and how many sessions each worker holds (from the worker number in
    the patch), the sender's worker under -1. Waits ``limit`` seconds at most."""
    observer.heartbeats()
    observer.read(time.monotonic() + 60, quiet=0.2)  # their acks
    value = f"b{number}-{uuid.uuid4().hex[:8]}"
    wanted = re.compile(re.escape(value.encode()) + rb" w(\d+) h([0-9.]+)")
    arrived: dict[int, float] = {}
    on_worker: dict[int, int] = {}
    handled: dict[int, float] = {}
    pending = set(observer.tabs) - observer.closed
    sender = next(iter(observer.tabs))

    def on_text(fd: int, payload: bytes) -> bool:
        if fd in pending and (match := wanted.search(payload)) is not None:
            arrived[fd] = time.monotonic()
            worker = on_worker[fd] = int(match.group(1))
            handled[worker] = float(match.group(2))
            pending.discard(fd)
        return not pending

    cpu = server.cpu()
    redis_cpu = cpu_seconds(redis_pid) if redis_pid is not None else 0.0
    mine = time.process_time()
    with client_collector_paused():  # (this client's pauses are not the server's)
        begin = time.monotonic()
        observer.event(sender, "post", {"value": value})
        observer.read(begin + limit, on_text)
    # Quiet again: then the CPU figures hold the whole broadcast.
    observer.read(time.monotonic() + 0.5)
    used = {n: s - cpu.get(n, 0.0) for n, s in server.cpu().items()}
    redis_used = cpu_seconds(redis_pid) - redis_cpu if redis_pid is not None else None
    mine = time.process_time() - mine
    split: dict[int, int] = {}
    for worker in on_worker.values():
        split[worker] = split.get(worker, 0) + 1
    split[-1] = on_worker.get(sender, 0)
    arrivals = [t - begin for t in arrived.values()]
    span_on: dict[int, tuple[float, float, float]] = {}
    for fd, worker in on_worker.items():
        t = arrived[fd] - begin
        _, first, last = span_on.get(worker, (0.0, t, t))
        span_on[worker] = (handled[worker] - begin, min(first, t), max(last, t))
    sender_at = arrived[sender] - begin if sender in arrived else float("inf")
    result = Broadcast(arrivals, span_on, sender_at, len(pending), used, redis_used, mine)
    return result, split


async def measure(
    setup: Setup, args: argparse.Namespace, redis_url: str | None, redis_pid: int | None
) -> None:
    pubsub = redis_url if setup.pubsub == "redis" else None
    server = Server(setup.workers, pubsub, args.secret)
    try:
        limits = ", ".join(
            f"w{n} {open_files_limit(pid)}" for n, pid in sorted(server.worker_pids.items())
        )
        print(f"== {setup.name}: {server.url}, open files limit {limits}", flush=True)
        redis = redis_pid if pubsub is not None else None
        timeout = max(60.0, args.sessions / 100)
        # The tabs idle in Trio tasks of their own while the others join (heartbeats);
        # then those tasks stop and the observer reads every socket.
        async with trio.open_nursery() as nursery:
            tabs, _, setup.joins_per_s = await join_all(
                server, args.sessions, args.concurrency, nursery
            )
            nursery.cancel_scope.cancel()
        print(
            f"   joined {len(tabs):,} sessions, {setup.joins_per_s:,.0f}/s "
            f"({args.concurrency} at a time)",
            flush=True,
        )
        observer = Observer(tabs)
        try:
            setup.warmup, split = await trio.to_thread.run_sync(
                broadcast, observer, server, 0, redis, timeout
            )
            setup.sender = split.pop(-1)
            setup.split = dict(sorted(split.items()))
            shares = ", ".join(f"w{n} {count:,}" for n, count in setup.split.items())
            print(
                f"   sessions per worker: {shares}; the one that posts is on w{setup.sender}",
                flush=True,
            )
            print(*setup.warmup.lines("warm-up"), sep="\n", flush=True)
            for number in range(1, args.runs + 1):
                result, _ = await trio.to_thread.run_sync(
                    broadcast, observer, server, number, redis, timeout
                )
                setup.runs.append(result)
                print(*result.lines(f"run {number}"), sep="\n", flush=True)
        finally:
            observer.close()
            for tab in tabs:
                await tab.close()
        restarts = server.restarts()
        if restarts:
            print("   ! workers restarted:", *restarts, sep="\n     ", flush=True)
    except BaseException:
        errors = [
            line for line in server.errors().splitlines() if "Error" in line or "ERROR" in line
        ]
        print("   ! the server's errors:", *errors[-20:], sep="\n     ", flush=True)
        raise
    finally:
        took = await trio.to_thread.run_sync(server.stop)
    print(f"   stopped in {took:.1f} s (SIGINT to exit); server log: {server.log_summary()}")


def parse_setup(text: str) -> Setup:
    workers, _, pubsub = text.partition(":")
    if not workers.isdigit() or int(workers) < 1 or pubsub not in ("memory", "redis"):
        raise argparse.ArgumentTypeError(f"expected WORKERS:memory or WORKERS:redis, got {text!r}")
    if int(workers) > 1 and pubsub == "memory":
        raise argparse.ArgumentTypeError(f"{text}: workers share broadcasts only through redis")
    return Setup(int(workers), pubsub)


def raise_open_files(sessions: int) -> int:
    """Raise this process's open-files limit to its hard limit (inherited by the
    servers); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    if soft != resource.RLIM_INFINITY and soft < sessions + 512:
        sys.exit(
            f"bench_broadcast: {sessions:,} sessions need about {sessions + 512:,} open files "
            f"in this process; its hard limit is {soft:,} (raise it: ulimit -Hn)"
        )
    return soft


async def main_async(
    args: argparse.Namespace, redis_url: str | None, redis_pid: int | None
) -> None:
    for setup in args.setups:
        await measure(setup, args, redis_url, redis_pid)
    base = args.setups[0]
    print()
    print(
        f"median of {args.runs} broadcasts to {args.sessions:,} sessions (ratios to "
        f"{base.name}, the baseline)"
    )
    print(
        f"{'setup':<28} {'sessions per worker':<24} {'last arrival':>15} {'p50':>15} "
        f"{'p99':>15} {'server CPU':>15}"
    )
    for setup in args.setups:
        cells = []
        for what in ("last", "0.5", "0.99", "cpu"):
            value, ratio = setup.median(what), setup.median(what) / base.median(what)
            cells.append(f"{value * 1000:7.0f} ms {ratio:4.2f}x")
        shares = " / ".join(f"{count:,}" for count in setup.split.values())
        print(f"{setup.name:<28} {shares:<24} " + " ".join(f"{c:>15}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000, help="subscribed sessions")
    parser.add_argument("--runs", type=int, default=3, help="broadcasts measured per setup")
    parser.add_argument(
        "--setups",
        type=parse_setup,
        nargs="+",
        default=None,
        metavar="W:PUBSUB",
        help="WORKERS:memory or WORKERS:redis, the first one the baseline "
        "(default: 1:memory 2:redis)",
    )
    parser.add_argument("--concurrency", type=int, default=64, help="joins under way at once")
    args = parser.parse_args()
    if args.setups is None:
        args.setups = [parse_setup("1:memory"), parse_setup("2:redis")]
    if args.sessions < 1 or args.runs < 1:
        parser.error("--sessions and --runs must be at least 1")
    args.secret = uuid.uuid4().hex * 2
    files = raise_open_files(args.sessions)
    print(
        f"roost broadcast benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{args.sessions:,} sessions, {args.runs} runs (+1 warm-up) per setup, "
        f"open files limit {files:,}",
        flush=True,
    )
    if not any(setup.pubsub == "redis" for setup in args.setups):
        trio.run(main_async, args, None, None)
        return
    from tests.redis_server import running_redis_server

    with tempfile.TemporaryDirectory(prefix="bench_broadcast_redis_") as folder:
        with running_redis_server(Path(folder)) as redis:
            process = getattr(redis, "_process", None)
            pid = process.pid if process is not None else None
            print(f"redis-server at {redis.url} (pid {pid})", flush=True)
            trio.run(main_async, args, redis.url, pid)


if __name__ == "__main__":
    main()
