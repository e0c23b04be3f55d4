"""A view asked to stop (a tab that leaves, a server that shuts down) handles
what it already holds, sends what that renders, then runs ``terminate`` with
its state; cancellation stays the last resort. Its components stop first, the
same way; one its parent drops is stopped at once."""

from __future__ import annotations

import trio
import trio.testing

from roost import LiveComponent, LiveView, event, protocol
from roost.actors import Session
from roost.supervisor import DynamicSupervisor


class Tally(LiveView):
    ended: list[tuple[BaseException | None, int]] = []

    def mount(self, params, session):
        self.count = 0

    def render(self) -> str:
        return f"<b>{self.count}</b>"

    @event
    async def inc(self):
        await trio.sleep(1)  # a handler that takes its time: a stop waits for it
        self.count += 1

    def terminate(self, reason):
        Tally.ended.append((reason, self.count))


async def started(
    sessions: DynamicSupervisor, frames: list[str], view: type[LiveView] = Tally
) -> Session:
    def transport(text: str) -> None:
        frames.append(text)

    session = Session("s1", view, {}, {}, transport)
    await sessions.start_child(session.child_spec())
    await trio.testing.wait_all_tasks_blocked()
    return session


async def test_a_view_asked_to_stop_handles_what_it_holds_then_terminates_with_its_state(
    autojump_clock,
):
    Tally.ended = []
    frames: list[str] = []
    async with trio.open_nursery() as nursery:
        sessions = DynamicSupervisor(name="sessions")
        await nursery.start(sessions.run)
        session = await started(sessions, frames)
        for ref in (1, 2, 3):  # queued: the view has not run since
            await session.receive(protocol.Event(ref, "inc"))
        await sessions.stop()
    assert Tally.ended == [(None, 3)]
    patches = [m for m in map(protocol.decode_server, frames) if isinstance(m, protocol.Patch)]
    assert [ref for p in patches for ref in p.acked] == [1, 2, 3]  # each click answered


async def test_a_session_ended_by_its_supervisor_terminates_its_view_gracefully(autojump_clock):
    Tally.ended = []
    frames: list[str] = []
    async with trio.open_nursery() as nursery:
        sessions = DynamicSupervisor(name="sessions")
        await nursery.start(sessions.run)
        session = await started(sessions, frames)
        await session.receive(protocol.Event(1, "inc"))
        await sessions.terminate_child(session.id)  # as a tab's Leave does
        assert Tally.ended == [(None, 1)]
        assert session.ended
        nursery.cancel_scope.cancel()


async def test_a_view_cancelled_outright_still_terminates_with_its_state(autojump_clock):
    Tally.ended = []
    frames: list[str] = []
    async with trio.open_nursery() as nursery:
        sessions = DynamicSupervisor(name="sessions")
        await nursery.start(sessions.run)
        session = await started(sessions, frames)
        await session.receive(protocol.Event(1, "inc"))
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()  # no request: cancelled at once, mid-handler
    assert Tally.ended == [(None, 0)]


class Clicks(LiveComponent):
    ended: list[tuple[str, BaseException | None, int]] = []

    def mount(self, **props):
        self.count = 0

    def render(self) -> str:
        return f"<i>{self.count}</i>"

    @event
    async def inc(self):
        await trio.sleep(1)  # a stop waits for it
        self.count += 1

    def unmount(self):
        Clicks.ended.append(("unmount", None, self.count))

    def terminate(self, reason):
        Clicks.ended.append(("terminate", reason, self.count))


class Holder(LiveView):
    def mount(self, params, session):
        self.shown = True
        self.clicks = Clicks()

    @event
    def hide(self):
        self.shown = False

    def render(self) -> str:
        return f"<div>{self.clicks if self.shown else ''}</div>"

    def terminate(self, reason):
        Clicks.ended.append(("view", reason, 0))


async def test_a_session_stopping_stops_its_components_first_each_finishing_what_it_holds(
    autojump_clock,
):
    Clicks.ended = []
    frames: list[str] = []
    async with trio.open_nursery() as nursery:
        sessions = DynamicSupervisor(name="sessions")
        await nursery.start(sessions.run)
        session = await started(sessions, frames, Holder)
        for ref in (1, 2):
            await session.receive(protocol.Event(ref, "inc", target="clicks"))
        await sessions.stop()
    # The component handled both clicks, then terminated with its state; then the view.
    assert Clicks.ended == [("terminate", None, 2), ("view", None, 0)]
    patches = [m for m in map(protocol.decode_server, frames) if isinstance(m, protocol.Patch)]
    assert [ref for p in patches for ref in p.acked] == [1, 2]


async def test_a_component_its_parent_drops_is_stopped_at_once_then_unmounts_and_terminates(
    autojump_clock,
):
    Clicks.ended = []
    frames: list[str] = []
    async with trio.open_nursery() as nursery:
        sessions = DynamicSupervisor(name="sessions")
        await nursery.start(sessions.run)
        session = await started(sessions, frames, Holder)
        await session.receive(protocol.Event(1, "inc", target="clicks"))
        await trio.testing.wait_all_tasks_blocked()  # mid-handler
        await session.receive(protocol.Event(2, "hide"))
        await trio.testing.wait_all_tasks_blocked()
        # Cancelled mid-click: the parent's render did not wait for it.
        assert Clicks.ended == [("unmount", None, 0), ("terminate", None, 0)]
        nursery.cancel_scope.cancel()
