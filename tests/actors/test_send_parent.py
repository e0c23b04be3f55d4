"""send_parent while the parent restarts: delivered to its next incarnation, or logged as lost."""

from __future__ import annotations

import logging

import anyio
import pytest
import trio
import trio.testing

from roost import App, LiveComponent, LiveView, event, live_component, on_component, protocol
from roost.actors import ActorRef
from roost.actors.messages import Crash
from roost.testing import LiveClient

from .conftest import session_of


class Leaf(LiveComponent):
    def mount(self):
        self.n = 0

    @event
    def inc(self):
        self.n += 1
        self.send_parent("leafed")

    def render(self):
        return f"<em>{self.n}</em>"


class Branch(LiveComponent):
    stall: anyio.Event | None = None
    """When set to an event, mounts wait for it: the branch is 'restarting'."""

    async def mount(self):
        if Branch.stall is not None:
            await Branch.stall.wait()
        self.got = 0

    @on_component("leafed")
    def leafed(self, component_id, data):
        self.got += 1

    def render(self):
        return f'<b class="got">{self.got}</b>{live_component(Leaf, id="leaf")}'


class Tree(LiveView):
    def render(self):
        return f"<main>{live_component(Branch, id='branch')}</main>"


@pytest.fixture(autouse=True)
def no_stall():
    Branch.stall = None
    yield
    Branch.stall = None


async def reply_to(view: LiveClient, ref: int) -> protocol.Ack | protocol.Error:
    def reply(v: LiveClient) -> protocol.Ack | protocol.Error | None:
        # An Ack, or the patch that carried it (recorded as Ack(ref)).
        found = v.replies.get(ref)
        return found if isinstance(found, protocol.Ack | protocol.Error) else None

    return await view.wait_for(reply)


async def crash_and_stall(ref: ActorRef) -> None:
    """Crash ``ref``'s actor; its restart then waits in ``mount`` for ``Branch.stall``."""
    Branch.stall = anyio.Event()
    exited = anyio.Event()
    ref.watch(lambda _ref, _reason: exited.set())
    ref.send(Crash("test"))
    await exited.wait()


async def test_send_parent_while_the_parent_restarts_reaches_its_next_incarnation():
    async with LiveClient.mount(App({"/": Tree})) as view:
        session = session_of(view)
        await crash_and_stall(session.registry["branch"])
        await trio.testing.wait_all_tasks_blocked()
        assert "branch" not in session.registry
        await session.receive(protocol.Event(900, "inc", {}, "leaf"))
        await trio.testing.wait_all_tasks_blocked()
        assert Branch.stall is not None
        Branch.stall.set()
        await trio.testing.wait_all_tasks_blocked()
        assert session.runtime("branch").state.got == 1
        await view.wait_for('[data-roost-id="branch"] .got', "1")
        assert isinstance(await reply_to(view, 900), protocol.Ack)


async def test_send_parent_to_a_parent_that_does_not_come_back_is_logged_as_lost(
    autojump_clock, caplog
):
    async with LiveClient.mount(App({"/": Tree})) as view:
        session = session_of(view)
        await crash_and_stall(session.registry["branch"])
        start = trio.current_time()
        await session.receive(protocol.Event(900, "inc", {}, "leaf"))
        assert isinstance(await reply_to(view, 900), protocol.Ack)
        assert trio.current_time() - start == pytest.approx(5)
        lost = [r for r in caplog.records if "did not restart" in r.getMessage()]
        assert [r.levelno for r in lost] == [logging.ERROR]
        assert "'branch'" in lost[0].getMessage()


async def test_every_message_one_actor_hands_another_is_counted_until_taken():
    # Tab.handoffs: while one is untaken, a patch may still follow the one being
    # written (the socket then lets them share a frame); none may be left over.
    async with LiveClient.mount(App({"/": Tree})) as view:
        session = session_of(view)
        await trio.testing.wait_all_tasks_blocked()
        assert session.tab.handoffs == 0
        for n in range(1, 4):
            await session.receive(protocol.Event(900 + n, "inc", {}, "leaf"))
            await view.wait_for('[data-roost-id="branch"] .got', str(n))
            await trio.testing.wait_all_tasks_blocked()
            assert session.tab.handoffs == 0
        # A parent that restarts meanwhile: the message reaches its next incarnation.
        await crash_and_stall(session.registry["branch"])
        await session.receive(protocol.Event(999, "inc", {}, "leaf"))
        await trio.testing.wait_all_tasks_blocked()
        assert Branch.stall is not None
        Branch.stall.set()
        await view.wait_for('[data-roost-id="branch"] .got', "1")  # got 0 + 1 after a restart
        await trio.testing.wait_all_tasks_blocked()
        assert session.tab.handoffs == 0


class Busy(Branch):
    """A branch whose ``work`` holds its actor until ``gate`` is set, then crashes."""

    gate: anyio.Event | None = None

    @event
    async def work(self):
        assert Busy.gate is not None
        await Busy.gate.wait()
        raise RuntimeError("failed while a child's event waited in its mailbox")


class BusyTree(LiveView):
    def render(self):
        return f"<main>{live_component(Busy, id='busy')}</main>"


async def test_a_handed_message_its_actor_dies_before_taking_is_no_longer_counted():
    Busy.gate = anyio.Event()
    async with LiveClient.mount(App({"/": BusyTree}), allow_crashes=["busy"]) as view:
        session = session_of(view)
        await session.receive(protocol.Event(901, "work", {}, "busy"))
        await trio.testing.wait_all_tasks_blocked()  # the parent is in its handler
        await session.receive(protocol.Event(902, "inc", {}, "leaf"))
        await trio.testing.wait_all_tasks_blocked()
        assert session.tab.handoffs == 1  # in the busy parent's mailbox
        Busy.gate.set()  # it crashes with the message still there
        await view.wait_for(lambda v: isinstance(v.replies.get(901), protocol.Error))
        await trio.testing.wait_all_tasks_blocked()
        assert session.tab.handoffs == 0


async def test_a_parent_that_never_restarted_keeps_no_event_for_its_children_sends():
    # The event a child waits on for its parent's next incarnation is made only
    # when it must wait: a parent that takes every message at once (nearly
    # always) keeps none for the whole session.
    async with LiveClient.mount(App({"/": Tree})) as view:
        for _ in range(3):
            await view.event("inc", target="leaf")
        await view.wait_for(lambda v: v.text(".got") == "3")
        assert session_of(view).tab.actor("branch")._next_start is None
