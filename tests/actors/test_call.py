"""ActorRef.call: a reply, a timeout that covers a full mailbox, and an exit that ends the wait."""

from __future__ import annotations

import anyio
import pytest
import trio
import trio.testing

from roost import App, LiveView, event, protocol
from roost.actors import CallTimeout, InjectedCrash
from roost.actors.actor import ActorExited
from roost.actors.messages import Crash
from roost.testing import LiveClient

from .conftest import session_of


class Answerer(LiveView):
    mailbox_size = 1
    gate: anyio.Event

    @event
    async def hold(self):
        await Answerer.gate.wait()

    @event
    def noop(self):
        pass

    def handle_call(self, request):
        if request == "boom":
            raise RuntimeError("cannot answer")
        return f"re: {request}"

    def render(self):
        return "<p>answers</p>"


@pytest.fixture(autouse=True)
def gate():
    Answerer.gate = anyio.Event()


async def busy(view: LiveClient) -> None:
    """Park the view in a handler with its one-message mailbox full."""
    session = session_of(view)
    await session.receive(protocol.Event(900, "hold"))
    await trio.testing.wait_all_tasks_blocked()
    await session.receive(protocol.Event(901, "noop"))


async def test_a_call_gets_the_reply_of_handle_call():
    async with LiveClient.mount(App({"/": Answerer})) as view:
        assert await session_of(view).registry["0"].call("hi") == "re: hi"


async def test_a_calls_timeout_covers_the_wait_for_room_in_a_full_mailbox(autojump_clock):
    async with LiveClient.mount(App({"/": Answerer})) as view:
        await busy(view)
        ref = session_of(view).registry["0"]
        start = trio.current_time()
        with trio.fail_after(60), pytest.raises(CallTimeout):
            await ref.call("hi", timeout=0.5)
        assert trio.current_time() - start == pytest.approx(0.5)
        Answerer.gate.set()


async def test_a_call_fails_at_once_when_the_callee_crashes_handling_it(autojump_clock):
    async with LiveClient.mount(App({"/": Answerer}), allow_crashes=True) as view:
        ref = session_of(view).registry["0"]
        start = trio.current_time()
        with pytest.raises(ActorExited) as exited:
            await ref.call("boom", timeout=30)
        assert trio.current_time() == start
        assert isinstance(exited.value.reason, RuntimeError)
        assert exited.value.__cause__ is exited.value.reason


class Roomy(Answerer):
    mailbox_size = 8


async def test_a_call_queued_behind_a_crash_fails_as_the_callee_crashes():
    async with LiveClient.mount(App({"/": Roomy})) as view:
        session = session_of(view)
        await session.receive(protocol.Event(900, "hold"))
        await trio.testing.wait_all_tasks_blocked()
        ref = session.registry["0"]
        ref.send(Crash("test"))
        failures: list[ActorExited] = []

        async def caller() -> None:
            with pytest.raises(ActorExited) as exited:
                await ref.call("hi", timeout=5)
            failures.append(exited.value)

        async with anyio.create_task_group() as tg:
            tg.start_soon(caller)
            await trio.testing.wait_all_tasks_blocked()  # the call waits behind the Crash
            Answerer.gate.set()
            await trio.testing.wait_all_tasks_blocked()
            assert failures, "the call still waits after its callee crashed"
        assert isinstance(failures[0].reason, InjectedCrash)


async def test_a_call_to_a_stopped_actor_fails_with_actor_exited():
    async with LiveClient.mount(App({"/": Answerer})) as view:
        ref = session_of(view).registry["0"]
    with pytest.raises(ActorExited) as exited:
        await ref.call("hi")
    assert exited.value.reason == "normal"
