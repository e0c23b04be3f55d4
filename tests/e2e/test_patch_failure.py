"""A patch that fails halfway never leaves its target stale: the client drops
the target's version, warns, and asks for a full render (a Sync)."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text

# Before the page's scripts: record every frame sent.
RECORD = """
window.__sent = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  send(data) {
    window.__sent.push(JSON.parse(data));
    super.send(data);
  }
};
"""


@pytest.fixture(scope="module")
def twofold():
    with roost_run("tests.apps.twofold:app") as served:
        yield served


@pytest.fixture(scope="module")
def wrapping():
    with roost_run("tests.apps.wrapping:app") as served:
        yield served


@pytest.fixture
def recorded(page):
    page.add_init_script(RECORD)
    warnings: list[str] = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.warnings = warnings
    return page


def syncs(page) -> list:
    return page.evaluate("window.__sent.filter((m) => m[0] === 3).map((m) => m[2])")


def wait_resynced(page, target: str) -> None:
    page.wait_for_function(
        "(t) => window.Roost.targets.versions.get(t) >= 1 && !window.Roost.targets.syncing.has(t)",
        arg=target,
    )


def assert_twofold_shows(page, n: int) -> None:
    assert page.text_content("#first") == str(n)
    assert page.eval_on_selector_all("#items li", "(lis) => lis.map((li) => li.textContent)") == [
        str(i) for i in range(n)
    ]
    assert page.text_content("#last") == str(n * 10)


def test_a_patch_failing_on_its_first_op_resyncs_the_whole_target(twofold, recorded):
    page = recorded
    page.goto(twofold.url + "/")
    wait_joined(page)
    page.click("#inc")
    wait_text(page, "#last", "10")
    assert syncs(page) == []

    # Corrupt the page under the view: the next patch's first op (the count's
    # text) finds no node, so none of its later ops (the list, the total) apply.
    page.evaluate("document.querySelector('#first').firstChild.remove()")
    page.click("#inc")
    wait_text(page, "#last", "20")
    wait_resynced(page, "0")
    assert_twofold_shows(page, 2)
    assert syncs(page) == ["0"]
    assert any('target "0"' in w and "resync" in w for w in page.warnings), page.warnings

    # Resynced, the target patches as usual again.
    page.click("#inc")
    wait_text(page, "#last", "30")
    assert_twofold_shows(page, 3)
    assert syncs(page) == ["0"]


def test_a_patch_with_an_op_that_cannot_apply_is_replaced_by_the_servers_render(twofold, recorded):
    page = recorded
    page.goto(twofold.url + "/")
    wait_joined(page)
    page.click("#inc")
    wait_text(page, "#last", "10")

    # The first op applies (it blanks the content), the second is no op at all.
    page.evaluate(
        """() => {
            const targets = window.Roost.targets;
            const next = targets.versions.get("0") + 1;
            targets.handle([0, [[6, [], "<p id='bogus'>stale</p>"], [99, [0]]], 0, "0", next]);
        }"""
    )
    page.wait_for_selector("#bogus", state="detached")
    wait_resynced(page, "0")
    assert_twofold_shows(page, 1)
    assert syncs(page) == ["0"]
    assert any('target "0"' in w for w in page.warnings), page.warnings

    page.click("#inc")
    wait_text(page, "#last", "20")
    assert_twofold_shows(page, 2)


def test_a_components_failing_patch_resyncs_that_component_only(wrapping, recorded):
    page = recorded
    page.goto(wrapping.url + "/")
    wait_joined(page, "0", "clicks")
    page.click("#clicks")
    wait_text(page, "#clicks", "1")
    view_version = page.evaluate("window.Roost.targets.versions.get('0')")

    page.evaluate("document.querySelector('#clicks').firstChild.remove()")
    page.click("#clicks")
    wait_text(page, "#clicks", "2")
    wait_resynced(page, "clicks")
    assert syncs(page) == ["clicks"]
    assert any('target "clicks"' in w for w in page.warnings), page.warnings
    assert page.evaluate("window.Roost.targets.versions.get('0')") == view_version

    page.click("#clicks")
    wait_text(page, "#clicks", "3")
    assert syncs(page) == ["clicks"]
