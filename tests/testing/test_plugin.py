"""roost's pytest plugin (roost.testing.pytest_plugin), run on small test suites of its own.

Each suite runs in a fresh pytest process (``runpytest_subprocess``), which
loads the plugin as any project's pytest does: through its ``pytest11``
entry point.
"""

import pathlib
import re

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
trio_mode = true
filterwarnings = error
"""

APP = """
from roost import App, LiveView, event


class Counter(LiveView):
    def mount(self, params, session):
        self.count = 0

    def render(self):
        return f'<span id="count">{self.count}</span><button id="plus" roost-click="inc">+</button>'

    @event
    def inc(self):
        self.count += 1


app = App({"/": Counter})
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makepyfile(counter_app=APP)
    return pytester


def test_live_mounts_a_view_and_clicks(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_live="""
        from counter_app import app

        async def test_click(live):
            async with live(app, "/") as view:
                await view.click("#plus")
                assert view.text("#count") == "1"

        async def test_keywords_are_passed_to_mount(live):
            async with live(app, path="/", timeout=30) as view:
                assert view.text("#count") == "0"
        """
    )
    suite.runpytest_subprocess().assert_outcomes(passed=2)


def test_roost_server_serves_the_app_until_teardown(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_server="""
        import socket
        from urllib.parse import urlsplit

        import pytest
        from roost.testing import LiveClient
        from roost.testing._leaks import assert_no_leaked_tasks, leaked_tasks, running_tasks

        from counter_app import app

        urls = []
        baseline = []

        @pytest.fixture
        async def roost_app():
            # Torn down after roost_server: whatever the server started has stopped.
            baseline.extend(running_tasks())
            yield app
            assert_no_leaked_tasks(baseline)
            assert app.runtime is None

        async def test_connect(roost_server, live):
            assert leaked_tasks(baseline)  # the server's tasks, running
            urls.append(roost_server)
            assert roost_server.startswith("http://127.0.0.1:")
            runtime = app.runtime
            assert runtime is not None and runtime.urls == [roost_server]
            async with LiveClient.connect(roost_server, "/", app=app) as view:
                await view.click("#plus")
                assert view.text("#count") == "1"
            async with live(app, "/") as view:  # in process, on the server's runtime
                assert app.runtime is runtime

        def test_the_port_is_closed_after_teardown():
            port = urlsplit(urls[0]).port
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
        """
    )
    suite.runpytest_subprocess().assert_outcomes(passed=2)


def test_a_failing_test_still_stops_the_server(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_failing="""
        import pytest
        from roost.testing import LiveClient
        from roost.testing._leaks import assert_no_leaked_tasks, running_tasks

        from counter_app import app

        @pytest.fixture
        async def roost_app():
            before = running_tasks()
            yield app
            assert_no_leaked_tasks(before)

        async def test_connect(roost_server):
            async with LiveClient.connect(roost_server, "/", app=app) as view:
                await view.click("#plus")
                assert view.text("#count") == "2"

        async def test_after(roost_server):
            async with LiveClient.connect(roost_server, "/", app=app) as view:
                assert view.text("#count") == "0"
        """
    )
    result = suite.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*assert '1' == '2'*"])


def test_roost_server_without_a_roost_app_fixture_says_what_to_define(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_missing="""
        async def test_connect(roost_server):
            pass
        """
    )
    result = suite.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_connect*",
            "*define a `roost_app` fixture returning the roost.App to serve*",
            "    def roost_app():",
        ]
    )


def test_roost_app_must_be_an_app(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_not_an_app="""
        import pytest

        @pytest.fixture
        def roost_app():
            return "counter_app:app"

        async def test_connect(roost_server):
            pass
        """
    )
    result = suite.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*roost_app fixture must return a roost.App, not str*"])


SEED_TESTS = """
def test_seed(chaos_seed):
    assert isinstance(chaos_seed, int)
    print("seed is", chaos_seed)

def test_fails(chaos_seed):
    assert chaos_seed < 0

def test_fails_without_the_seed():
    assert False
"""


def test_the_chaos_seed_option_sets_the_seed_and_failures_say_how_to_reproduce(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(test_seed=SEED_TESTS)
    result = suite.runpytest_subprocess("--roost-chaos-seed=1234", "-s")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "roost chaos seed: 1234 (reproduce with --roost-chaos-seed=1234)",
            "*seed is 1234*",
            "*_ test_fails _*",
            "*- roost chaos seed -*",
            "chaos_seed was 1234; reproduce with --roost-chaos-seed=1234",
            "*_ test_fails_without_the_seed _*",
        ]
    )
    # Only the test that used the fixture gets the section.
    assert result.stdout.str().count("reproduce with --roost-chaos-seed=1234") == 2


def test_without_the_option_the_seed_is_random_and_shown_in_the_header(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(test_seed=SEED_TESTS)
    result = suite.runpytest_subprocess("-s")
    result.assert_outcomes(passed=1, failed=2)
    header = [line for line in result.outlines if line.startswith("roost chaos seed: ")]
    assert len(header) == 1
    seed = int(header[0].split()[3])
    result.stdout.fnmatch_lines(
        [f"*seed is {seed}*", f"chaos_seed was {seed}; reproduce with --roost-chaos-seed={seed}"]
    )


def test_the_seed_is_in_the_junit_xml(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_seed=SEED_TESTS)
    suite.runpytest_subprocess("--roost-chaos-seed=77", "--junitxml=report.xml")
    xml = (suite.path / "report.xml").read_text()
    assert '<property name="roost_chaos_seed" value="77" />' in xml


def test_the_seed_option_takes_an_int(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_seed=SEED_TESTS)
    result = suite.runpytest_subprocess("--roost-chaos-seed=abc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--roost-chaos-seed*invalid int value*"])


def test_a_suite_without_trio_runs_as_before(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_plain():
            assert "playwright" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:trio")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["roost chaos seed: *"])


DOCS = pathlib.Path(__file__).parents[2] / "docs"


def test_the_example_in_the_docs_passes(pytester: pytest.Pytester) -> None:
    pattern = r"```python\n(# tests/test_with_the_plugin\.py\n.*?)```"
    # docs/_plugin.md until its section is merged into docs/testing.md.
    found = [
        re.search(pattern, (DOCS / name).read_text(), re.S)
        for name in ("testing.md", "_plugin.md")
        if (DOCS / name).exists()
    ]
    module = next((match for match in found if match is not None), None)
    assert module is not None, "docs/testing.md lost the pytest plugin's example"
    pytester.makeini(INI)
    pytester.makepyfile(test_with_the_plugin=module.group(1))
    result = pytester.runpytest_subprocess("--roost-chaos-seed=1234")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["roost chaos seed: 1234 (reproduce with --roost-chaos-seed=1234)"])


def test_the_plugin_can_be_turned_off(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_off="def test_off(): pass")
    result = suite.runpytest_subprocess("-p", "no:roost")
    result.assert_outcomes(passed=1)
    assert "roost chaos seed" not in result.stdout.str()
