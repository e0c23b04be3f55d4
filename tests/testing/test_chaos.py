"""roost.testing.chaos kills random actors at a steady rate, the same ones for
the same seed, and says so when the test fails."""

from __future__ import annotations

import anyio
import pytest

from roost import App, LiveComponent, LiveView, event, live_component
from roost.testing import LiveClient, chaos


class Part(LiveComponent):
    def render(self):
        return "<i>part</i>"


class Page(LiveView):
    def mount(self, params, session):
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    def render(self):
        parts = "".join(str(live_component(Part, id=f"p{i}")) for i in range(3))
        return f'<b id="count">{self.count}</b>{parts}'


app = App({"/": Page}, max_restarts=1000, max_seconds=1.0)


async def kills_for(seed: int) -> list[tuple[float, str]]:
    async with LiveClient.mount(app) as view:
        async with chaos(view, rate=10, seed=seed) as run:
            await anyio.sleep(2.05)
        await view.wait_for("#count")
        assert view.restarts() >= len(run.kills) - 2  # the last kills may still restart
        return [(round(t, 3), target) for t, _, target in run.kills]


async def test_the_same_seed_kills_the_same_actors_at_the_same_times(autojump_clock):
    first = await kills_for(7)
    assert len(first) == 20
    assert first == await kills_for(7)
    assert first != await kills_for(8)


async def test_a_failing_block_carries_the_seed_and_every_kill(autojump_clock, capsys):
    async with LiveClient.mount(app) as view:
        with pytest.raises(AssertionError) as info:
            async with chaos(view, rate=5, seed=42):
                await anyio.sleep(1.05)
                raise AssertionError("the page was wrong")
    notes = "\n".join(info.value.__notes__)
    assert "seed 42" in notes and "--roost-chaos-seed=42" in notes
    assert notes.count(" actor ") == 5
    assert "seed 42" in capsys.readouterr().err
