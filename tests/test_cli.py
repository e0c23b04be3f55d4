"""The `roost` command as a user runs it."""

from __future__ import annotations

import signal
import subprocess
import urllib.request

import pytest

from roost.protocol import VERSION, Patch, decode_server_frame
from tests.serve import ROOST, ROOT, roost_run


def test_run_serves_the_app_at_the_printed_url_and_ctrl_c_exits_cleanly():
    with roost_run("examples.counter:app") as served:
        assert served.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(served.url + "/", timeout=10) as response:
            assert response.status == 200
            assert b"Count:" in response.read()
        status = served.stop(signal.SIGINT)
    assert status == 0
    assert "Traceback" not in served.stderr
    assert "roost: stopped" in "".join(served.output)


def test_sigterm_also_stops_cleanly():
    with roost_run("examples.counter:app") as served:
        assert served.stop(signal.SIGTERM) == 0
    assert "Traceback" not in served.stderr


def test_a_bad_app_path_is_a_clear_usage_error():
    result = subprocess.run(
        [str(ROOST), "run", "examples.nope:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "cannot import 'examples.nope'" in result.stderr
    result = subprocess.run(
        [str(ROOST), "run", "examples.counter:Counter"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "is not a roost App" in result.stderr


def test_a_root_that_fails_past_its_restart_intensity_exits_non_zero_with_the_cause():
    result = subprocess.run(
        [str(ROOST), "run", "tests.apps.failing:app", "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert "root supervisor failed" in last_line
    assert "child 'db'" in last_line
    assert "RuntimeError: the database is on fire" in last_line


# trio-websocket's client leaks its TCP stream when the server closes first.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_ctrl_c_with_a_browser_connected_closes_its_socket_and_exits_cleanly():
    import json
    import re

    import trio
    from trio_websocket import ConnectionClosed

    from tests.websockets import open_websocket_url

    with roost_run("examples.dashboard:app") as served:
        page = await trio.to_thread.run_sync(_get, served.url + "/")
        token = re.search(r'data-roost-token="([^"]+)"', page).group(1)
        socket_url = served.url.replace("http://", "ws://") + f"/_roost/socket?v={VERSION}"
        async with open_websocket_url(socket_url) as ws:
            await ws.send_message(json.dumps([0, 1, token, served.url]))
            with trio.fail_after(10):
                while json.loads(await ws.get_message())[:2] != [2, 1]:
                    pass
            served.process.send_signal(signal.SIGINT)
            with trio.fail_after(10):
                try:
                    while True:
                        await ws.get_message()
                except ConnectionClosed as closed:
                    assert closed.reason.code == 1001
        _, stderr = await trio.to_thread.run_sync(served.process.communicate, None, 15)
    assert served.process.returncode == 0
    assert "Traceback" not in stderr


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_ctrl_c_stops_each_view_gracefully_so_its_terminate_runs_with_its_state():
    import json
    import re

    import trio
    from trio_websocket import ConnectionClosed

    from tests.websockets import open_websocket_url

    with roost_run("tests.apps.terminating:app") as served:
        page = await trio.to_thread.run_sync(_get, served.url + "/")
        token = re.search(r'data-roost-token="([^"]+)"', page).group(1)
        socket_url = served.url.replace("http://", "ws://") + f"/_roost/socket?v={VERSION}"
        async with open_websocket_url(socket_url) as ws:
            await ws.send_message(json.dumps([0, 1, token, served.url]))
            await ws.send_message('[1,2,"inc"]')
            await ws.send_message('[1,3,"inc"]')
            with trio.fail_after(10):
                answered: set[int] = set()
                while 3 not in answered:  # the patch that answers the second click
                    for message in decode_server_frame(await ws.get_message()):
                        if isinstance(message, Patch):
                            answered.update(message.acked)
            served.process.send_signal(signal.SIGINT)
            with trio.fail_after(10):
                try:
                    while True:
                        await ws.get_message()
                except ConnectionClosed:
                    pass
        out, _ = await trio.to_thread.run_sync(served.process.communicate, None, 15)
    assert served.process.returncode == 0
    assert "terminated count=2 reason=None" in "".join(served.output) + out


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def roost_routes(app: str) -> subprocess.CompletedProcess[str]:
    """What ``roost routes APP`` prints (and its exit status)."""
    return subprocess.run(
        [str(ROOST), "routes", app], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_roost_routes_lists_each_pattern_its_view_and_its_typed_parameters():
    result = roost_routes("tests.apps.routed:app")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["route", "view", "parameters"]
    assert lines[1].split() == ["/", "tests.apps.routed.Index"]
    assert lines[2].split() == ["/incidents/{id:int}", "tests.apps.routed.Incident", "id:", "int"]


def test_roost_routes_lists_the_apps_plain_http_endpoints_with_their_methods():
    result = roost_routes("examples.notes:app")
    assert result.returncode == 0, result.stderr
    views, endpoints = result.stdout.split("\n\n")
    live = ["/", "/notes/{id:int}", "/login"]
    assert [line.split()[0] for line in views.splitlines()[1:]] == live
    lines = [line.split("  ") for line in endpoints.splitlines()]
    rows = [[cell.strip() for cell in line if cell.strip()] for line in lines]
    assert rows == [
        ["http route", "methods", "endpoint", "parameters"],
        ["/login", "POST", "examples.notes.login"],
        ["/logout", "GET, HEAD", "examples.notes.logout"],
    ]
