"""Chaos on actors that keep their state (``persist``): no acknowledged click is lost.

A view and a component, both ``persist = True``, each count their clicks.
``roost.testing.chaos`` kills one of them ten times a second for 20 s of
Trio's clock while a user clicks both buttons. A kill re-mounts the actor
(a killed view re-mounts its component with it), and each re-mount takes the
count back from the snapshot saved before the click's acknowledgement left:
at the end each count holds every acknowledged click. A refused click (its
actor was killed before it answered) may or may not have counted, the
user having been told it failed; none counts twice.
"""

from __future__ import annotations

import logging
import random
from collections import Counter

import trio
import trio.testing

from roost import App, LiveComponent, LiveView, event, live_component, protocol
from roost.testing import EventError, LiveClient, chaos, no_leaked_tasks

KILLS_PER_SECOND = 10
SECONDS = 20.0
ACTORS = ("0", "tally")
BUTTONS = {"0": "#inc", "tally": "#tally-inc"}


class Tally(LiveComponent):
    persist = True

    def mount(self, **props):
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    def render(self):
        return (
            f'<b id="tally-count">{self.count}</b>'
            '<button id="tally-inc" roost-click="inc">+</button>'
        )


class Counting(LiveView):
    persist = True

    def mount(self, params, session):
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    def render(self):
        return (
            f'<b id="count">{self.count}</b><button id="inc" roost-click="inc">+</button>'
            f"{live_component(Tally, id='tally')}"
        )


# Sessions restart within max_restarts in max_seconds: under 10 kills a second
# the default (3 in 5 s) would give up on the tab within the first second.
app = App({"/": Counting}, max_restarts=1000, max_seconds=1.0)


async def settle(view: LiveClient) -> None:
    """Return once both actors run, idle, with every frame they sent applied:
    two unknown events in a row to each, answered from its mailbox."""
    await trio.testing.wait_all_tasks_blocked()
    for target in ACTORS:
        for _ in range(2):
            error = await view.event("settle?", target=target, expect_error=True)
            assert error.code == protocol.UNKNOWN_EVENT, error


async def test_persisting_actors_under_10_kills_a_second_keep_every_acknowledged_click(
    autojump_clock, chaos_seed, caplog
):
    caplog.set_level(logging.CRITICAL, logger="roost")  # each kill logs its traceback
    rng = random.Random(chaos_seed)
    acked: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    async with no_leaked_tasks(), LiveClient.mount(app, "/") as view:
        # The clock runs in real time while the tab works, so that some kills
        # land in the middle of a click: after its snapshot, before its ack.
        autojump_clock.rate = 1.0
        began = trio.current_time()
        async with chaos(view, rate=KILLS_PER_SECOND, seed=chaos_seed) as run:
            while trio.current_time() < began + SECONDS:
                target = rng.choice(ACTORS)
                try:
                    await view.click(BUTTONS[target])
                    acked[target] += 1
                except EventError as exc:
                    # Killed before it answered, or restarting: the user is told.
                    assert exc.code in (protocol.UNKNOWN_TARGET, protocol.CRASHED), exc
                    refused[target] += 1
                await trio.sleep(rng.uniform(0, 0.05))  # the user's pace
        autojump_clock.rate = 0
        await settle(view)

        killed = Counter(target for _, _, target in run.kills)
        print(
            f"\nchaos seed {chaos_seed}: kills {dict(killed)}, clicks acknowledged "
            f"{dict(acked)}, refused {dict(refused)}"
        )
        assert set(killed) == set(ACTORS)  # each was killed, and re-mounted
        assert view.restarts("0") == killed["0"]
        assert all(acked[target] > 0 for target in ACTORS)
        for target, shown in (("0", "#count"), ("tally", "#tally-count")):
            count = view.session.runtime(target).state.count
            assert acked[target] <= count <= acked[target] + refused[target], (
                f"{target}: {count} counted, {acked[target]} clicks acknowledged, "
                f"{refused[target]} refused, {killed[target]} kills"
            )
            assert view.text(shown) == str(count)
