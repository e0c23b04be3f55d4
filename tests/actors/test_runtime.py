"""The actor loop: change tracking, batching, timers, pubsub, overload, async handlers."""

from __future__ import annotations

import anyio
import pytest
import trio
import trio.testing

from roost import App, LiveView, event, protocol
from roost.actors import call_on_each_batch
from roost.testing import LiveClient

from .conftest import session_of


class Ticker(LiveView):
    mailbox_size = 4
    gate: anyio.Event

    def mount(self, params, session):
        self.ticks = 0
        self.seen: list[str] = []
        self.hidden = 0
        if self.connected:
            self.subscribe("news")

    @event
    def later(self, seconds: float):
        self.send_after(seconds, "tick")

    @event
    def cancel_later(self, seconds: float):
        cancel = self.send_after(seconds, "tick")
        cancel()

    @event
    def secret(self):
        self._private = 1
        self.hidden = self.hidden  # same value: not a change

    @event
    async def slow(self, text: str):
        await anyio.sleep(1)
        self.seen = [*self.seen, text]

    @event
    async def hold(self):
        await self.gate.wait()

    @event
    def note(self, text: str):
        self.seen = [*self.seen, text]

    @event
    def tell(self, text: str):
        self.broadcast("news", text)

    def handle_info(self, message):
        if message == "tick":
            self.ticks += 1
        else:
            self.seen = [*self.seen, message]

    def render(self):
        return f'<b id="ticks">{self.ticks}</b><p id="seen">{",".join(self.seen)}</p>'


@pytest.fixture
def app():
    return App({"/": Ticker})


async def test_a_handler_that_changes_no_assign_sends_no_patch(app):
    async with LiveClient.mount(app) as view:
        renders = session_of(view).runtime("0").renders
        await view.event("secret")
        assert session_of(view).runtime("0").renders == renders
        assert not any(isinstance(m, protocol.Patch) for m in view.messages)


async def test_send_after_delivers_on_the_virtual_clock(app, autojump_clock):
    async with LiveClient.mount(app) as view:
        start = trio.current_time()
        await view.event("later", seconds="30")
        await view.wait_for("#ticks", "1")
        assert trio.current_time() - start == pytest.approx(30)


async def test_a_cancelled_timer_never_fires(app, autojump_clock):
    async with LiveClient.mount(app) as view:
        await view.event("cancel_later", seconds="5")
        await view.event("later", seconds="10")
        await view.wait_for("#ticks", "1")
        await trio.sleep(60)
        await view.event("secret")
        assert view.text("#ticks") == "1"


async def test_async_handlers_are_awaited_in_order(app, autojump_clock):
    async with LiveClient.mount(app) as view:
        await view.event("slow", text="a")
        await view.event("slow", text="b")
        assert view.text("#seen") == "a,b"


async def test_a_broadcast_reaches_every_subscriber(app):
    async with LiveClient.mount(app) as alice, LiveClient.mount(app) as bob:
        await alice.event("tell", text="hello")
        await bob.wait_for("#seen", "hello")
        await alice.wait_for("#seen", "hello")


async def test_messages_handled_in_one_batch_render_once(app):
    async with LiveClient.mount(app) as view:
        session = session_of(view)
        renders = session.runtime("0").renders
        # Three events in the mailbox before the actor runs: one batch, one render.
        for ref in (101, 102, 103):
            await session.receive(protocol.Event(ref, "later", {"seconds": "0"}))
        await view.wait_for("#ticks", "3")
        assert session.runtime("0").renders - renders <= 2


async def blocked_in_handler(view: LiveClient, gate: anyio.Event) -> None:
    """Park the view's actor inside a handler until ``gate`` is set: its mailbox is empty."""
    await session_of(view).receive(protocol.Event(900, "hold"))
    await trio.testing.wait_all_tasks_blocked()


async def test_a_full_mailbox_answers_client_events_with_overloaded(app):
    async with LiveClient.mount(app) as view:
        gate = Ticker.gate = anyio.Event()
        await blocked_in_handler(view, gate)
        session = session_of(view)
        refs = list(range(200, 200 + Ticker.mailbox_size + 2))
        for ref in refs:
            await session.receive(protocol.Event(ref, "note", {"text": str(ref)}))
        gate.set()
        accepted = [str(r) for r in refs[: Ticker.mailbox_size]]
        await view.wait_for("#seen", ",".join(accepted))
        errors = [m for m in view.messages if isinstance(m, protocol.Error)]
        assert [(e.ref, e.code) for e in errors] == [(r, "overloaded") for r in refs[-2:]]


async def test_pubsub_drops_for_a_subscriber_whose_mailbox_is_full(app):
    async with LiveClient.mount(app) as slow, LiveClient.mount(app) as fast:
        gate = Ticker.gate = anyio.Event()
        await blocked_in_handler(slow, gate)
        session = session_of(slow)
        for ref in range(300, 300 + Ticker.mailbox_size):
            await session.receive(protocol.Event(ref, "note", {"text": "x"}))
        await fast.event("tell", text="news")
        assert session.runtime("0").dropped == 1
        await fast.wait_for("#seen", "news")
        gate.set()
        await slow.wait_for("#seen", ",".join(["x"] * Ticker.mailbox_size))


async def test_each_batch_an_actor_begins_calls_the_batch_hook(app):
    batches: list[int] = []
    async with LiveClient.mount(app) as view:
        call_on_each_batch(lambda: batches.append(1))
        try:
            for text in ("a", "b", "c"):
                await view.event("note", text=text)
        finally:
            call_on_each_batch(None)
        await view.event("note", text="d")  # no hook any more
    assert len(batches) == 3
