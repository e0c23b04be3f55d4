# roost's pytest plugin, loaded by pytest through the `pytest11` entry point:
# the `live`, `roost_server` and `chaos_seed` fixtures and `--roost-chaos-seed`.
"""Fixtures for testing roost apps with pytest-trio (see docs/testing.md).

- ``live``: ``live(app, "/path", **kwargs)`` is ``LiveClient.mount(app, "/path", **kwargs)``.
- ``roost_server``: the app of your ``roost_app`` fixture served by hypercorn on
  127.0.0.1 (a free port) in the test's Trio run; its value is the base URL.
- ``chaos_seed``: the seed for ``roost.testing.chaos``: ``--roost-chaos-seed=N``,
  else one random seed per test session, shown in the report header and
  under every failed test that used it.

Importing this module imports only pytest: every project with roost installed
loads it, whether it uses Trio or not. roost itself is imported by the
fixtures, when a test asks for one.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from roost.server import App

    from ._client import LiveClient

__all__ = ["chaos_seed", "live", "roost_app", "roost_server"]

SEED_OPTION = "--roost-chaos-seed"
SEED_SECTION = "roost chaos seed"
"""The heading of the report section a failed test that used ``chaos_seed`` gets."""

_SEED = pytest.StashKey[int]()

MISSING_APP = (
    "roost_server serves the app a `roost_app` fixture returns, and there is none: "
    "define a `roost_app` fixture returning the roost.App to serve, in your conftest.py "
    "or test module, e.g.\n\n"
    "    @pytest.fixture\n"
    "    def roost_app():\n"
    "        return app\n"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("roost", "roost (LiveView tests)")
    group.addoption(
        SEED_OPTION,
        type=int,
        default=None,
        metavar="N",
        dest="roost_chaos_seed",
        help="the seed of the chaos_seed fixture (default: a random one per session, "
        "shown in the report header)",
    )


def pytest_configure(config: pytest.Config) -> None:
    seed = config.getoption("roost_chaos_seed", None)
    config.stash[_SEED] = seed if seed is not None else secrets.randbelow(2**32)


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.stash[_SEED]
    return f"{SEED_SECTION}: {seed} (reproduce with {SEED_OPTION}={seed})"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and "chaos_seed" in getattr(item, "fixturenames", ()):
        seed = item.config.stash[_SEED]
        report.sections.append(
            (SEED_SECTION, f"chaos_seed was {seed}; reproduce with {SEED_OPTION}={seed}")
        )
    return report


@pytest.fixture
def chaos_seed(request: pytest.FixtureRequest) -> int:
    """The seed to give ``roost.testing.chaos``: ``--roost-chaos-seed=N`` when given,
    else the session's random one (the same for every test of the run).

    It is recorded in the test's ``user_properties`` (JUnit XML) and printed
    under the test's failure with the option that reproduces it.
    """
    seed = request.config.stash[_SEED]
    request.node.user_properties.append(("roost_chaos_seed", seed))
    return seed


@pytest.fixture
def live() -> Callable[..., AbstractAsyncContextManager[LiveClient]]:
    """``async with live(app, "/path", **kwargs) as view:`` opens a view in process:
    exactly ``LiveClient.mount(app, "/path", **kwargs)``."""
    from . import LiveClient

    return LiveClient.mount


@pytest.fixture
def roost_app() -> App:
    """The app ``roost_server`` serves. This one only fails: override it with a
    fixture of that name (in a conftest.py or the test module) returning your app."""
    pytest.fail(MISSING_APP, pytrace=False)


@pytest.fixture
async def roost_server(roost_app: Any) -> AsyncIterator[str]:
    """Serve ``roost_app`` as ``roost run`` does, on 127.0.0.1 and a free port, in
    the test's Trio run; the value is its base URL, ``http://127.0.0.1:PORT``.

    It returns once the server listens. At teardown the app is stopped as
    Ctrl-C stops ``roost run`` (every session ended gracefully, then the rest
    cancelled): nothing it started is left running. Needs pytest-trio
    (``trio_mode = true``, or the test marked ``@pytest.mark.trio``).
    """
    import trio

    from ..cli import SHUTDOWN_TIMEOUT
    from ..server import App, Runtime

    app = roost_app
    if not isinstance(app, App):
        pytest.fail(
            f"the roost_app fixture must return a roost.App, not {type(app).__name__}",
            pytrace=False,
        )
    host = "127.0.0.1"
    # As `roost run --host 127.0.0.1`: the URL it gives must be served.
    if not app.hosts.allows(host):
        app.hosts.extend([host])
    runtime = Runtime(app, bind=f"{host}:0")
    async with trio.open_nursery() as nursery:
        await nursery.start(runtime.run)
        yield runtime.urls[0]
        with trio.move_on_after(SHUTDOWN_TIMEOUT):
            await runtime.stop()
        nursery.cancel_scope.cancel()
