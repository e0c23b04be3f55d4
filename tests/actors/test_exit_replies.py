"""Every client event gets one reply, even when its actor crashes or stops first."""

from __future__ import annotations

import anyio
import pytest
import trio.testing

from roost import App, LiveComponent, LiveView, event, live_component, protocol
from roost.testing import LiveClient

from .conftest import session_of


class Fragile(LiveView):
    gate: anyio.Event

    def mount(self, params, session):
        self.seen: list[str] = []
        self.poisoned = False

    @event
    async def hold(self):
        await Fragile.gate.wait()

    @event
    async def boom_later(self):
        await Fragile.gate.wait()
        raise RuntimeError("handler failed after waiting")

    @event
    def boom(self):
        raise RuntimeError("handler failed")

    @event
    def note(self, text: str):
        self.seen = [*self.seen, text]

    @event
    def poison(self):
        self.poisoned = True

    def render(self):
        if self.poisoned:
            raise RuntimeError("render failed")
        return f'<p id="seen">{",".join(self.seen)}</p>{live_component(Slow, id="slow")}'


class Slow(LiveComponent):
    def mount(self):
        self.n = 0

    @event
    async def hold(self):
        await Fragile.gate.wait()

    @event
    def inc(self):
        self.n += 1

    def render(self):
        return f"<i>{self.n}</i>"


class Host(Fragile):
    def mount(self, params, session):
        super().mount(params, session)
        self.shown = True

    @event
    def hide(self):
        self.shown = False

    def render(self):
        slow = live_component(Slow, id="slow") if self.shown else ""
        return f'<p id="seen">{",".join(self.seen)}</p>{slow}'


@pytest.fixture(autouse=True)
def gate():
    Fragile.gate = anyio.Event()


def replies(view: LiveClient) -> dict[int, tuple[str, str]]:
    """ref -> ("ack", "") or ("error", its code), for every reply received."""
    out: dict[int, tuple[str, str]] = {}
    for m in view.messages:
        if isinstance(m, protocol.Ack):
            out[m.ref] = ("ack", "")
        elif isinstance(m, protocol.Error):
            out[m.ref] = ("error", m.code)
    return out


def full_renders(view: LiveClient) -> int:
    return sum(isinstance(m, protocol.Render) and m.target == "0" for m in view.messages)


async def replies_to(view: LiveClient, refs: list[int]) -> dict[int, tuple[str, str]]:
    def answered(v: LiveClient) -> dict[int, tuple[str, str]] | None:
        got = replies(v)
        return {ref: got[ref] for ref in refs} if all(ref in got for ref in refs) else None

    return await view.wait_for(answered)


async def queue_behind_a_held_handler(view: LiveClient, target: str, *events) -> None:
    """Park ``target`` in its ``hold`` handler, then queue ``events`` (ref, name, params)."""
    session = session_of(view)
    await session.receive(protocol.Event(900, "hold", {}, target))
    await trio.testing.wait_all_tasks_blocked()
    for ref, name, params in events:
        await session.receive(protocol.Event(ref, name, params, target))


async def test_events_of_a_crashing_batch_keep_their_ack_before_and_get_crashed_after():
    async with LiveClient.mount(App({"/": Fragile}), allow_crashes=True) as view:
        await queue_behind_a_held_handler(
            view, "0", (901, "note", {"text": "a"}), (902, "boom", {}), (903, "note", {"text": "c"})
        )
        renders = full_renders(view)
        Fragile.gate.set()  # one batch: [note a, boom, note c]
        assert await replies_to(view, [900, 901, 902, 903]) == {
            900: ("ack", ""),
            901: ("ack", ""),
            902: ("error", "crashed"),
            903: ("error", "crashed"),
        }
        await view.wait_for(lambda v: full_renders(v) > renders)
        await view.event("note", text="d")  # restarted, with fresh state
        assert view.text("#seen") == "d"


async def test_events_still_in_the_mailbox_when_an_actor_crashes_are_answered_crashed():
    async with LiveClient.mount(App({"/": Fragile}), allow_crashes=True) as view:
        session = session_of(view)
        await session.receive(protocol.Event(901, "boom_later"))
        await trio.testing.wait_all_tasks_blocked()
        await session.receive(protocol.Event(902, "note", {"text": "b"}))
        await session.receive(protocol.Event(903, "note", {"text": "c"}))
        Fragile.gate.set()
        assert await replies_to(view, [901, 902, 903]) == {
            901: ("error", "crashed"),
            902: ("error", "crashed"),
            903: ("error", "crashed"),
        }


async def test_a_crash_while_rendering_answers_the_batchs_events_with_crashed():
    async with LiveClient.mount(App({"/": Fragile}), allow_crashes=True) as view:
        await queue_behind_a_held_handler(
            view, "0", (901, "note", {"text": "a"}), (902, "poison", {})
        )
        Fragile.gate.set()
        got = await replies_to(view, [901, 902])
        assert got == {901: ("error", "crashed"), 902: ("error", "crashed")}


async def test_events_for_a_component_that_stops_are_answered_unknown_target():
    async with LiveClient.mount(App({"/": Host})) as view:
        await queue_behind_a_held_handler(view, "slow", (901, "inc", {}))
        await view.event("hide")  # the parent stops placing it: it is stopped mid-handler
        assert await replies_to(view, [900, 901]) == {
            900: ("error", "unknown_target"),
            901: ("error", "unknown_target"),
        }
        errors = [m for m in view.messages if isinstance(m, protocol.Error)]
        assert all("stopped" in e.message for e in errors)
