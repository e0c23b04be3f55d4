"""roost's three apps of the peer benchmark (benchmarks/peers/apps/roost) behave.

benchmarks/peers/run.py times these pages in Chromium next to pyview, djust
and reactpy; it is never run by CI. This only checks, in process and without
timing anything, that each click changes what the benchmark expects it to,
so that the benchmark's roost apps cannot rot.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from selectolax.lexbor import LexborHTMLParser

from roost.testing import LiveClient

SCENARIOS = Path(__file__).resolve().parents[2] / "benchmarks/peers/apps/roost/scenarios.py"


def load() -> ModuleType:
    name = "peer_benchmark_roost_scenarios"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCENARIOS)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # templates are found next to the module's file
        spec.loader.exec_module(module)
    return sys.modules[name]


scenarios = load()
app = scenarios.app


async def test_counter_counts_each_click():
    async with LiveClient.mount(app, "/counter") as view:
        assert view.text("#count") == "0"
        for n in range(1, 4):
            await view.click("#inc")
            assert view.text("#count") == str(n)


def tab_button(name: str) -> str:
    return f'nav.tabs button[roost-value-tab="{name}"]'


async def test_tabs_switch_the_content_and_the_active_tab():
    async with LiveClient.mount(app, "/tabs") as view:
        assert view.text("#panel h2") == "Profile"
        assert view.text("nav.tabs button.active") == "Profile"
        # The tab bar is a LiveComponent: its own actor, its own container.
        assert view.exists('[data-roost-id="tabs"] nav.tabs')
        for tab in ["Settings", "Billing", "Profile"]:
            await view.click(tab_button(tab))
            await view.wait_for("#panel h2", tab)
            assert view.text("nav.tabs button.active") == tab
            assert view.text("#panel li:first-child") == scenarios.PANELS[tab][0]


def rows(view: LiveClient) -> list[str]:
    return [li.text() for li in LexborHTMLParser(view.html("#rows")).css("li")]


async def test_each_click_changes_one_row():
    async with LiveClient.mount(app, "/rows") as view:
        before = rows(view)
        assert len(before) == scenarios.ROWS
        assert before[:2] == ["row 0", "row 1"]
        await view.click("#bump")
        await view.click("#bump")
        after = rows(view)
        assert after[:2] == ["row 0 bumped 1", "row 1 bumped 2"]
        assert after[2:] == before[2:]
        assert view.text("#hits") == "2"
        assert view.attr("#rows li:nth-child(2)", "id") == "r1"


def test_bumped_wraps_around_the_rows():
    assert scenarios.bumped(1) == (0, "row 0 bumped 1")
    assert scenarios.bumped(scenarios.ROWS + 1) == (0, f"row 0 bumped {scenarios.ROWS + 1}")
