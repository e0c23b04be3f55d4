"""roost.testing.chaos kills random actors at a steady rate, the same ones for
the same seed, and says so when the test fails."""

from __future__ import annotations

from collections import Counter

import anyio
import pytest
import trio.testing

from roost import App, ChildSpec, LiveComponent, LiveView, event, live_component
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


async def service(*, task_status=anyio.TASK_STATUS_IGNORED):
    task_status.started()
    await anyio.sleep_forever()


served = App(
    {"/": Page}, children=[ChildSpec("service", service)], max_restarts=1000, max_seconds=1.0
)


async def test_given_the_runtime_it_kills_the_actors_of_every_session_and_nothing_else(
    autojump_clock,
):
    async with LiveClient.mount(served) as ann, LiveClient.mount(served) as bob:
        runtime = served.runtime
        assert runtime is not None
        async with chaos(runtime, rate=10, seed=3) as run:
            await anyio.sleep(5.05)
        await trio.testing.wait_all_tasks_blocked()
        tabs = {ann.session.id: ann, bob.session.id: bob}
        kills = Counter(sid for _, sid, _ in run.kills)
        assert len(run.kills) == 50
        assert kills.keys() == tabs.keys()  # both tabs' actors
        assert {target for _, _, target in run.kills} == {"0", "p0", "p1", "p2"}
        for sid, view in tabs.items():
            await view.wait_for("#count")
            assert 0 < view.restarts() <= kills[sid]
        # The app's service and the backends are not actors: never killed.
        children = runtime.root.describe()["children"]
        assert {c["id"]: (c["state"], c["restarts"]) for c in children} == {
            "pubsub": ("running", 0),
            "store": ("running", 0),
            "service": ("running", 0),
            "sessions": ("running", 0),
        }
