"""`roost tree`, `roost kill` and `roost restart` against a real `roost run`,
each through a subprocess, with the page open in Chromium."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ports import free_port
from tests.serve import roost_run

from .conftest import wait_joined

ROOST = Path(sys.executable).with_name("roost")
SECRET = "tree-test-secret"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(request):
    admin = free_port()
    os.environ["ROOST_SECRET"] = SECRET
    request.addfinalizer(lambda: os.environ.pop("ROOST_SECRET", None))
    with roost_run("examples.dashboard:app", "--admin", f"127.0.0.1:{admin}") as served:
        yield served, f"http://127.0.0.1:{admin}"


def roost(*args: str, secret: str | None = SECRET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ROOST_SECRET"}
    if secret is not None:
        env["ROOST_SECRET"] = secret
    return subprocess.run(
        [str(ROOST), *args], capture_output=True, text=True, timeout=30, env=env, check=False
    )


def actors(url: str) -> dict[str, dict]:
    done = roost("tree", "--url", url, "--json")
    assert done.returncode == 0, done.stderr
    return {a["path"]: a for a in json.loads(done.stdout)["actors"]}


def test_tree_kill_and_the_page_recovering(server, page):
    served, url = server
    page.goto(served.url + "/")
    wait_joined(page, "0", "tabs", "pages")

    text = roost("tree", "--url", url)
    assert text.returncode == 0, text.stderr
    tabs_path = re.search(r"(sessions/\w+/view/components/tabs)\n", text.stdout).group(1)
    line = next(x for x in text.stdout.splitlines() if x.endswith(tabs_path))
    assert "component" in line and "TabsComponent" in line and "running" in line
    assert "restarts=0" in line and "mailbox=0" in line
    assert "one_for_all" in text.stdout and "3/5s" in text.stdout

    page.get_by_role("button", name="Settings").click()
    page.wait_for_selector("nav.tabs button.active:has-text('Settings')")
    before = page.evaluate("window.Roost.targets.versions.get('tabs')")
    killed = roost("kill", tabs_path, "--url", url)
    assert killed.returncode == 0 and "killed" in killed.stdout
    # The component restarted from its props: a fresh render, back on its first tab.
    page.wait_for_function("(v) => window.Roost.targets.versions.get('tabs') !== v", arg=before)
    page.wait_for_selector("nav.tabs button.active:has-text('Profile')")
    page.get_by_role("button", name="Settings").click()  # and it works
    page.wait_for_selector("nav.tabs button.active:has-text('Settings')")
    assert actors(url)[tabs_path]["restarts"] == 1

    restarted = roost("restart", tabs_path, "--url", url)
    assert restarted.returncode == 0
    page.wait_for_selector("nav.tabs button.active:has-text('Profile')")
    assert actors(url)[tabs_path]["restarts"] == 2


def test_without_the_servers_secret_the_tree_is_refused(server):
    _, url = server
    wrong = roost("tree", "--url", url, secret="not it")
    assert wrong.returncode == 1
    assert "ROOST_SECRET is not the server's secret" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    missing = roost("tree", "--url", url, secret=None)
    assert missing.returncode == 1 and "ROOST_SECRET is not set" in missing.stderr
    nowhere = roost("tree", "--url", f"http://127.0.0.1:{free_port()}")
    assert nowhere.returncode == 1 and "no admin endpoint" in nowhere.stderr
    bad = roost("kill", "sessions/none/view", "--url", url)
    assert bad.returncode == 1 and "no session" in bad.stderr


def test_watch_redraws_the_tree_in_place_until_ctrl_c(server):
    _, url = server
    env = {**os.environ, "ROOST_SECRET": SECRET}
    watch = subprocess.Popen(
        [str(ROOST), "tree", "--url", url, "--watch", "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert watch.stdout is not None
    try:
        clears = 0
        while clears < 2:  # two redraws, each starting with "home, clear screen"
            line = watch.stdout.readline()
            assert line, "roost tree --watch ended early"
            clears += line.count("\x1b[H\x1b[2J")
        watch.send_signal(signal.SIGINT)
        watch.communicate(timeout=10)
    finally:
        if watch.poll() is None:  # failing, not leaving a process and its pipes behind
            watch.kill()
            watch.communicate()
    assert watch.returncode == 0
