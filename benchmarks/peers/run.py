"""roost beside the Python peers a user would pick instead, in headless Chromium.

    .venv/bin/python benchmarks/peers/run.py [--quick] [--peers roost,pyview,djust,reactpy]

Three scenarios (counter, tabs, 1,000 rows), each written idiomatically for
roost, pyview (pyview-web), djust and reactpy (apps/<peer>/), and two floors:
a raw WebSocket echo page served by hypercorn's Trio worker and by uvicorn
(apps/floor/echo.py). Each peer runs from its own virtual environment under
.venvs/, made by setup.sh from pinned releases on the package registry (run
here first; it keeps an environment whose pins are installed, and a peer that
fails to install is reported and left out); roost runs from the project's
.venv.

Per cell (scenario x framework):

- latency inside the page: a MutationObserver and performance.now() around
  el.click(), from the click to the DOM mutation that completes the expected
  change (e.g. the count reads the next number), the page cross-origin
  isolated (headers added as it loads) so that the timer's grain is 5 µs,
  not 100; `--clicks` clicks a round,
  `--rounds` rounds, a fresh server process per round; p50/p90/p99 per round,
  median of the rounds. Rounds go round by round across every cell (round 1
  of each, then round 2 of each, ...), so that a machine whose speed drifts
  over minutes moves the floor as much as the rest. Before timing, warm-up
  clicks check that each click really changes the DOM as intended; a cell
  that does not is reported, not timed.
- bytes and frames per click, both directions: the page's WebSocket is
  wrapped before the app's scripts load (page.add_init_script) and counts
  every frame and its payload bytes (UTF-8 for text frames), over the timed
  clicks. Payload bytes: what the application sends, before any
  permessage-deflate (the negotiated extensions are listed below the table).
- server memory per session: RSS of the server's process tree (/proc) with
  `--sessions` pages open (each joined, rendered and clicked once) minus with
  none (after the timed page was closed), divided by the number of pages.
- ratio: the cell's p50 over the hypercorn floor's p50 of the same run.

Prints one table; also writes results/latest.json beside this file. Not a
test: CI never runs it. docs/performance.md ("Side by side with Python
peers") holds the latest table and how it was made.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VENVS = HERE / ".venvs"
APPS = HERE / "apps"
RESULTS = HERE / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # 50 pages are open at once for the memory figure: keep none throttled.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    # A page the benchmark hands over itself (to isolate it: `isolate`) has no
    # address of its own, so Chromium would count it public and refuse its
    # WebSocket to the loopback server it came from.
    "--disable-features=LocalNetworkAccessChecks",
]
PEERS = ("roost", "pyview", "djust", "reactpy")
SCENARIOS = ("counter", "tabs", "rows")
FLOORS = ("hypercorn floor", "uvicorn floor")
REFERENCE = "hypercorn floor"


# --- the servers ---------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    name: str
    venv: str  # a directory under .venvs/, or "" for the project's .venv
    cwd: Path
    argv: tuple[str, ...]  # "{port}" is replaced; argv[0] "python" is the venv's
    scenarios: tuple[str, ...] = SCENARIOS
    # How the page shows that its view has joined and can take a click: a
    # regular expression (JavaScript) one of the first text frames it receives
    # matches, or a CSS selector that matches once it has.
    live: str = ""
    live_selector: str = ""

    @property
    def python(self) -> Path:
        base = ROOT / ".venv" if not self.venv else VENVS / self.venv
        return base / "bin" / "python"

    def path(self, scenario: str) -> str:
        return "/" if scenario == "echo" else f"/{scenario}"


UVICORN = (
    "-m",
    "uvicorn",
    "--host",
    "127.0.0.1",
    "--port",
    "{port}",
    "--log-level",
    "warning",
    "--no-access-log",
)
SERVERS = {
    "roost": Server(
        "roost",
        "",
        APPS / "roost",
        ("-m", "roost.cli", "run", "scenarios:app", "--port", "{port}", "--log-level", "warning"),
        live=r"^\[2,",  # Joined
    ),
    "pyview": Server(  # Phoenix's client marks the joined view
        "pyview",
        "pyview",
        APPS / "pyview",
        (*UVICORN, "app:app"),
        live_selector="[data-phx-main].phx-connected",
    ),
    "djust": Server(  # "mount" (a click between "connect" and it is dropped)
        "djust",
        "djust",
        APPS / "djust",
        (*UVICORN, "benchsite.asgi:application"),
        live=r'"type":\s*"mount"',
    ),
    "reactpy": Server(  # the first layout
        "reactpy",
        "reactpy",
        APPS / "reactpy",
        (*UVICORN, "app:app"),
        live=r"layout-update",
    ),
    "hypercorn floor": Server(
        "hypercorn floor",
        "floor",
        APPS / "floor",
        ("-m", "hypercorn", "--worker-class", "trio", "--bind", "127.0.0.1:{port}", "echo:app"),
        scenarios=("echo",),
    ),
    "uvicorn floor": Server(
        "uvicorn floor", "floor", APPS / "floor", (*UVICORN, "echo:app"), scenarios=("echo",)
    ),
}
PACKAGES = {  # what each environment's table note names (from pip freeze)
    "roost": ("roost", "hypercorn", "trio"),
    "pyview": ("pyview-web", "starlette", "uvicorn", "websockets"),
    "djust": ("djust", "Django", "channels", "uvicorn", "websockets"),
    "reactpy": ("reactpy", "starlette", "uvicorn", "websockets"),
    "floor": ("Hypercorn", "trio", "uvicorn", "uvloop", "httptools", "websockets"),
}


class ServerFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Running:
    """One server process, started fresh; stopped (its process group) on exit."""

    def __init__(self, server: Server, scenario: str, log_dir: Path) -> None:
        self.server = server
        self.scenario = scenario
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base + server.path(scenario)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{server.name.replace(' ', '-')}-{scenario}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Running:
        argv = [str(self.server.python)]
        argv += [a.replace("{port}", str(self.port)) for a in self.server.argv]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTHONPATH", None)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            argv,
            cwd=self.server.cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise ServerFailed(
                    f"{self.server.name} exited ({self.proc.returncode}): {self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url, timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise ServerFailed(
                    f"{self.server.name} did not answer {self.url} in 60 s: {self.log_tail()}"
                )
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGINT, 5), (signal.SIGTERM, 3), (signal.SIGKILL, 3)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)  # the group this Popen created, nothing else
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL) if proc is not None else None
        self._log.close()

    def log_tail(self, lines: int = 6) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(text[-lines:])

    def rss(self) -> int:
        """Resident bytes of the server process and its descendants."""
        assert self.proc is not None
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry))
        total, todo = 0, [self.proc.pid]
        while todo:
            pid = todo.pop()
            todo += children.get(pid, [])
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total


# --- the page side ---------------------------------------------------------------

COUNT_FRAMES = """
(() => {
  const Native = window.WebSocket;
  const stats = {
    up: 0, down: 0, upFrames: 0, downFrames: 0, opened: 0, extensions: [], first: [],
  };
  const encoder = new TextEncoder();
  const size = (d) => typeof d === "string" ? encoder.encode(d).length
    : (d.byteLength !== undefined ? d.byteLength : (d.size || 0));
  class CountedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => {
        stats.opened++;
        stats.extensions.push(this.extensions);
      });
      this.addEventListener("message", (e) => {
        stats.down += size(e.data); stats.downFrames++;
        if (stats.first.length < 8 && typeof e.data === "string") {
          stats.first.push(e.data.slice(0, 300));
        }
      });
    }
    send(data) { stats.up += size(data); stats.upFrames++; return super.send(data); }
  }
  window.WebSocket = CountedWebSocket;
  window.__frames = stats;
})();
"""

TABS = ["Profile", "Settings", "Billing"]
FIRST_LINE = {"Profile": "Name: Ada Lovelace", "Settings": "Theme: dark", "Billing": "Plan: free"}
TEXT = "(sel) => { const e = document.querySelector(sel); return e ? e.textContent.trim() : null; }"
# Per scenario: start() -> the state the page shows; target(k) -> the element the
# k-th click goes to; done(k) -> the page shows what the k-th click should make.
SCENARIO_JS = {
    "counter": f"""({{
      text: {TEXT},
      ready() {{ return this.text("#count") !== null && document.querySelector("#inc") !== null; }},
      start() {{ return Number(this.text("#count")); }},
      target(k) {{ return document.querySelector("#inc"); }},
      done(k) {{ return this.text("#count") === String(k); }},
    }})""",
    "tabs": f"""({{
      text: {TEXT},
      tabs: {json.dumps(TABS)},
      first: {json.dumps(FIRST_LINE)},
      ready() {{
        return this.text("#panel h2") !== null
          && document.querySelectorAll("nav.tabs button").length === 3;
      }},
      start() {{ return this.tabs.indexOf(this.text("#panel h2")); }},
      target(k) {{
        const want = this.tabs[k % 3];
        return [...document.querySelectorAll("nav.tabs button")]
          .find((b) => b.textContent.trim() === want);
      }},
      done(k) {{
        const want = this.tabs[k % 3];
        return this.text("#panel h2") === want && this.text("#panel li") === this.first[want]
          && this.text("nav.tabs button.active") === want;
      }},
    }})""",
    "rows": f"""({{
      text: {TEXT},
      ready() {{
        return this.text("#hits") !== null
          && document.querySelectorAll("#rows > li").length === 1000;
      }},
      start() {{ return Number(this.text("#hits")); }},
      target(k) {{ return document.querySelector("#bump"); }},
      done(k) {{
        const i = (k - 1) % 1000;
        return this.text("#hits") === String(k)
          && this.text("#r" + i) === `row ${{i}} bumped ${{k}}`;
      }},
    }})""",
}
SCENARIO_JS["echo"] = SCENARIO_JS["counter"].replace(
    'document.querySelector("#inc") !== null', '!document.querySelector("#inc").disabled'
)

CLICKS_JS = """
async ([n, gap, timeout]) => {
  const s = window.__scenario;
  const latencies = [];
  let k = s.start();
  for (let i = 0; i < n; i++) {
    k += 1;
    const el = s.target(k);
    if (!el) throw new Error(`click ${k}: nothing to click`);
    latencies.push(await new Promise((resolve, reject) => {
      let t0 = 0;
      const observer = new MutationObserver(() => {
        if (s.done(k)) {
          const t1 = performance.now();
          observer.disconnect();
          clearTimeout(timer);
          resolve(t1 - t0);
        }
      });
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error(`click ${k}: the page did not show the expected change`
          + ` within ${timeout} ms; it shows: `
          + document.body.innerText.replace(/\\s+/g, " ").slice(0, 200)));
      }, timeout);
      observer.observe(document.documentElement,
        { subtree: true, childList: true, characterData: true, attributes: true });
      t0 = performance.now();
      el.click();
    }));
    if (gap > 0) await new Promise((r) => setTimeout(r, gap));
  }
  return latencies;
}
"""


# Served with these headers, a page is cross-origin isolated: Chromium's
# performance.now() then has a 5 µs grain instead of 100 µs (with jitter),
# which the clicks' p50s would otherwise snap to. Every cell's page alike.
ISOLATING = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
}


async def isolate(route: Any) -> None:
    """Fetch the page as the browser asked for it and hand it over with ``ISOLATING``."""
    response = await route.fetch()
    await route.fulfill(response=response, headers={**response.headers, **ISOLATING})


async def open_isolated(
    context: Any, server: Server, url: str, scenario: str, timeout_ms: int = 30_000
) -> Any:
    """``open_page``, with the page cross-origin isolated (a fine timer); raises if
    the browser did not isolate it."""
    await context.route(url, isolate)
    try:
        page = await open_page(context, server, url, scenario, timeout_ms)
    finally:
        await context.unroute(url, isolate)  # the clicks' traffic is never routed
    if not await asyncio.wait_for(page.evaluate("() => self.crossOriginIsolated"), 30):
        raise RuntimeError("the page is not cross-origin isolated: its timer would be coarse")
    return page


async def open_page(
    context: Any, server: Server, url: str, scenario: str, timeout_ms: int = 30_000
) -> Any:
    """A page of ``url``, live and rendered: its socket open, the frame that
    says its view joined received (``server.live``: djust, e.g., drops a click
    between its "connect" and its "mount"), the scenario's elements there."""
    page = await context.new_page()
    await page.goto(url, wait_until="load", timeout=timeout_ms)
    await asyncio.wait_for(
        page.wait_for_function(
            f"""() => {{
          const f = window.__frames;
          // A framework's page is live once its socket has brought something in;
          // the echo page hears nothing before its first click.
          if (!f || f.opened < 1) return false;
          const live = new RegExp({json.dumps(server.live)});
          if ({json.dumps(bool(server.live))} && !f.first.some((t) => live.test(t))) return false;
          if ({json.dumps(bool(server.live_selector))}
              && !document.querySelector({json.dumps(server.live_selector)})) return false;
          window.__scenario = window.__scenario || {SCENARIO_JS[scenario]};
          return window.__scenario.ready();
        }}""",
            timeout=timeout_ms,
        ),
        timeout_ms / 1000 + 10,
    )
    return page


async def clicks(page: Any, n: int, gap_ms: float, timeout_ms: float = 10_000) -> list[float]:
    """Click ``n`` times, each once the previous click's change is on the page;
    the milliseconds from each click to the mutation that completed its change."""
    # The page rejects after timeout_ms without the change; this bounds the rest.
    bound = n * (timeout_ms + gap_ms) / 1000 + 30
    return list(await asyncio.wait_for(page.evaluate(CLICKS_JS, [n, gap_ms, timeout_ms]), bound))


async def frames(page: Any) -> dict[str, Any]:
    return dict(await asyncio.wait_for(page.evaluate("() => ({...window.__frames})"), 30))


async def reset_frames(page: Any) -> None:
    await asyncio.wait_for(
        page.evaluate(
            "() => { const f = window.__frames; f.up = f.down = f.upFrames = f.downFrames = 0; }"
        ),
        30,
    )


# --- one cell ---------------------------------------------------------------------


@dataclass
class Cell:
    framework: str
    scenario: str
    rounds: list[dict[str, float]] = field(default_factory=list)
    traffic: list[dict[str, float]] = field(default_factory=list)
    kib_per_session: float | None = None
    extensions: str = ""
    error: str | None = None

    def stat(self, key: str) -> float:
        return statistics.median(r[key] for r in self.rounds)

    def traffic_stat(self, key: str) -> float:
        return statistics.median(t[key] for t in self.traffic)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]  # nearest rank


async def measure_round(
    browser: Any, cell: Cell, server: Server, args: argparse.Namespace, log: Any
) -> None:
    """One round of ``cell``: a fresh server, its clicks timed; memory in the first."""
    scenario = cell.scenario
    round_no = len(cell.rounds)
    with Running(server, scenario, RESULTS / "logs") as running:
        context = await browser.new_context()
        await context.add_init_script(COUNT_FRAMES)
        try:
            page = await open_isolated(context, server, running.url, scenario)
            # Warm-up clicks: they check the click does what it should
            # (the page changes as intended) before anything is timed.
            await clicks(page, args.warmup, args.gap)
            await page.wait_for_timeout(200)
            await reset_frames(page)
            latencies = await clicks(page, args.clicks, args.gap)
            await page.wait_for_timeout(300)  # trailing frames (acks) of the last click
            counted = await frames(page)
        finally:
            await context.close()
        cell.rounds.append(
            {
                "p50": percentile(latencies, 50),
                "p90": percentile(latencies, 90),
                "p99": percentile(latencies, 99),
                "mean": statistics.fmean(latencies),
            }
        )
        cell.traffic.append(
            {
                "up": counted["up"] / args.clicks,
                "down": counted["down"] / args.clicks,
                "up_frames": counted["upFrames"] / args.clicks,
                "down_frames": counted["downFrames"] / args.clicks,
            }
        )
        cell.extensions = ", ".join(sorted({e or "none" for e in counted["extensions"]}))
        log(
            f"  {server.name:16s} {scenario:7s} round {round_no + 1}: "
            f"p50 {cell.rounds[-1]['p50']:.2f} ms, p99 {cell.rounds[-1]['p99']:.2f} ms"
        )
        if round_no == 0 and args.sessions > 0:
            cell.kib_per_session = await memory_per_session(
                browser, running, scenario, args.sessions
            )
            log(f"  {server.name:16s} {scenario:7s} memory: {cell.kib_per_session:.0f} KiB/session")


async def memory_per_session(browser: Any, running: Running, scenario: str, n: int) -> float:
    await asyncio.sleep(1.0)  # the timed page has just closed
    before = running.rss()
    context = await browser.new_context()
    await context.add_init_script(COUNT_FRAMES)
    try:
        for _ in range(n):  # one at a time: every join sees an idle server
            page = await open_page(context, running.server, running.url, scenario)
            await clicks(page, 1, 0)  # proof that this page has a live session
        await asyncio.sleep(1.0)
        after = running.rss()
    finally:
        await context.close()
    return (after - before) / n / 1024


# --- the run ------------------------------------------------------------------------


def ensure_venvs(names: list[str], log: Any) -> dict[str, str]:
    """Run setup.sh for the environments ``names`` need (it keeps one whose pins
    are already installed); the reason for each that is not there after it."""
    wanted = sorted({SERVERS[n].venv for n in names if SERVERS[n].venv})
    if wanted:
        log(f"benchmarks/peers/setup.sh {' '.join(wanted)}")
        subprocess.run(["bash", str(HERE / "setup.sh"), *wanted], check=False, stdout=sys.stderr)
    failed = {}
    for v in wanted:
        if not (VENVS / v / ".pins").exists():
            failed[v] = f"did not install (see benchmarks/peers/.venvs/{v}.log)"
    return failed


def versions(venv: str) -> str:
    names = PACKAGES["roost" if not venv else venv]
    if not venv:
        out = subprocess.run(
            [
                str(ROOT / ".venv/bin/python"),
                "-c",
                "import importlib.metadata as m\n"
                "for n in ('roost', 'hypercorn', 'trio'): print(f'{n}=={m.version(n)}')",
            ],
            capture_output=True,
            text=True,
        ).stdout
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(  # read-only: are roost's sources as committed?
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "roost"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        where = f"checkout {commit or '?'}" + (" + uncommitted changes to roost/" if dirty else "")
        out = out.replace("roost==0.1.0", f"roost==0.1.0 ({where})", 1)
    else:
        try:
            out = (VENVS / f"{venv}.freeze").read_text()
        except OSError:
            return "?"
    found = {}
    for line in out.splitlines():
        if "==" in line:
            name, _, version = line.partition("==")
            found[name.lower()] = version
    return ", ".join(f"{n} {found.get(n.lower(), '?')}" for n in names)


def machine() -> dict[str, str]:
    model = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    mem = "?"
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        mem = f"{int(f.readline().split()[1]) // 1024} MiB"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "load": load,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def table(cells: list[Cell], floor_p50: float | None) -> str:
    head = (
        "scenario",
        "framework",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "x floor",
        "B/click up",
        "B/click down",
        "frames/click up/down",
        "KiB/session",
    )
    rows = []
    for c in cells:
        if c.error:
            rows.append(
                (c.scenario, c.framework, "-", "-", "-", "-", "-", "-", "-", "failed: see below")
            )
            continue
        p50 = c.stat("p50")
        ratio = f"{p50 / floor_p50:.2f}" if floor_p50 else "-"
        kib = f"{c.kib_per_session:.0f}" if c.kib_per_session is not None else "-"
        rows.append(
            (
                c.scenario,
                c.framework,
                f"{p50:.2f}",
                f"{c.stat('p90'):.2f}",
                f"{c.stat('p99'):.2f}",
                ratio,
                f"{c.traffic_stat('up'):.0f}",
                f"{c.traffic_stat('down'):.0f}",
                f"{c.traffic_stat('up_frames'):.1f} / {c.traffic_stat('down_frames'):.1f}",
                kib,
            )
        )
    widths = [max(len(str(r[i])) for r in (head, *rows)) for i in range(len(head))]

    def line(r: tuple[str, ...]) -> str:
        return "| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) + " |"

    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


async def run(args: argparse.Namespace) -> int:
    from playwright.async_api import async_playwright

    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    peers = [p for p in args.peers.split(",") if p]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        sys.exit(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(PEERS)}")
    names = [*FLOORS, *peers]
    skipped = {}
    if not args.no_setup:
        failed = ensure_venvs(names, log)
        for name in list(names):
            if SERVERS[name].venv in failed:
                skipped[name] = failed[SERVERS[name].venv]
                names.remove(name)
    if REFERENCE not in names:
        sys.exit(f"the {REFERENCE} is needed for the ratios, and {skipped.get(REFERENCE)}")

    info = machine()
    log(f"{info['nproc']} x {info['cpu']}, load {info['load']}")
    if float(info["load"].split()[0]) > 0.5 * (os.cpu_count() or 1):
        log("the machine is busy (1-minute load above half its CPUs): expect noisy latencies")
    cells: list[Cell] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        info["chromium"] = browser.version
        try:
            plan = [
                (n, s) for s in ("echo", *SCENARIOS) for n in names if s in SERVERS[n].scenarios
            ]
            cells = [Cell(name, scenario) for name, scenario in plan]
            # Round by round across every cell: a machine whose speed drifts over
            # minutes drifts for the floor as much as for the rest.
            for _ in range(args.rounds):
                for cell in cells:
                    if cell.error:
                        continue
                    try:
                        await measure_round(browser, cell, SERVERS[cell.framework], args, log)
                    except Exception as exc:  # one cell failing must not stop the others
                        message = str(exc).strip().splitlines()[0][:400]
                        log(f"  {cell.framework} {cell.scenario}: FAILED: {message}")
                        cell.error = message
        finally:
            await browser.close()
    info["load_after"] = machine()["load"]

    floor = next((c for c in cells if c.framework == REFERENCE and not c.error), None)
    floor_p50 = floor.stat("p50") if floor else None
    print()
    print(table(cells, floor_p50))
    print()
    print(
        f"{args.clicks} clicks x {args.rounds} round(s), a fresh server per round, rounds taken "
        f"in turn across cells, median of rounds; memory with {args.sessions} pages open. "
        f"x floor = p50 / {REFERENCE} p50"
        f"{f' ({floor_p50:.2f} ms)' if floor_p50 else ''}."
    )
    print(
        f"machine: {info['nproc']} x {info['cpu']}, {info['memory']}, load {info['load']} before"
        f" / {info['load_after']} after; Linux {info['kernel']}; Chromium {info['chromium']};"
        f" driver Python {info['python']}"
    )
    print("versions:")
    envs = []
    for name in names:
        if SERVERS[name].venv not in envs:
            envs.append(SERVERS[name].venv)
    for venv in envs:
        print(f"  {venv or 'roost (.venv)'}: {versions(venv)}")
    exts = {c.framework: c.extensions for c in cells if not c.error}
    print("WebSocket extensions negotiated: " + "; ".join(f"{k}: {v}" for k, v in exts.items()))
    for c in cells:
        if c.error:
            print(f"FAILED {c.framework} {c.scenario}: {c.error}")
    for name, reason in skipped.items():
        print(f"SKIPPED {name}: {reason}")
    print(f"took {time.monotonic() - started:.0f} s")

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "args": vars(args),
                "machine": info,
                "floor_p50": floor_p50,
                "skipped": skipped,
                "cells": [c.__dict__ for c in cells],
            },
            indent=1,
        )
    )
    return 0 if not any(c.error for c in cells) and not skipped else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1 round of 50 clicks, memory with 10 pages (under 3 minutes)",
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"comma-separated, from {','.join(PEERS)} (floors always run)",
    )
    parser.add_argument("--clicks", type=int, help="timed clicks per round (default 200)")
    parser.add_argument("--rounds", type=int, help="rounds, each a fresh server (default 3)")
    parser.add_argument(
        "--sessions", type=int, help="pages open for the memory figure (default 50)"
    )
    parser.add_argument("--warmup", type=int, default=10, help="checked clicks before timing")
    parser.add_argument(
        "--gap", type=float, default=10.0, help="ms between a click's DOM change and the next click"
    )
    parser.add_argument("--no-setup", action="store_true", help="never run setup.sh")
    args = parser.parse_args()
    quick = {"clicks": 50, "rounds": 1, "sessions": 10}
    full = {"clicks": 200, "rounds": 3, "sessions": 50}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    try:
        import playwright  # noqa: F401
    except ImportError:
        sys.exit(
            "run.py needs Playwright's Python package: run it with the project's .venv "
            "(.venv/bin/python benchmarks/peers/run.py), see README.md"
        )
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
