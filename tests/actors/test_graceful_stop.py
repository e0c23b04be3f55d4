"""A view asked to stop (a tab that leaves, a server that shuts down) handles
what it already holds, sends what that renders, then runs ``terminate`` with
its state; cancellation stays the last resort."""

from __future__ import annotations

import trio
import trio.testing

from roost import LiveView, event, protocol
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


async def started(sessions: DynamicSupervisor, frames: list[str]) -> Session:
    def transport(text: str) -> None:
        frames.append(text)

    session = Session("s1", Tally, {}, {}, transport)
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
