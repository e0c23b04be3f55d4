"""Monitors, links and names between actors."""

from __future__ import annotations

import pytest

from roost import App, Down, Exit, LiveView, event
from roost.actors import ActorRef, AlreadyRegistered, InjectedCrash, Mailbox
from roost.testing import LiveClient

from .conftest import session_of


class Watched(LiveView):
    def mount(self, params, session):
        if self.connected:
            self.register(params.get("name", "watched"))

    def render(self):
        return "<p>watched</p>"


class Watcher(LiveView):
    trap_exits = False

    def mount(self, params, session):
        self.events: list[str] = []

    @event
    def monitor_it(self, name: str):
        self.monitor(self.whereis(name))

    @event
    def link_it(self, name: str):
        self.link(self.whereis(name))
        self.events = [*self.events, "linked"]

    def handle_info(self, message):
        if isinstance(message, Down | Exit):
            reason = message.reason if isinstance(message.reason, str) else "crash"
            self.events = [*self.events, f"{type(message).__name__}:{reason}"]

    def render(self):
        return f'<p id="events">{" ".join(self.events)}</p>'


class TrappingWatcher(Watcher):
    trap_exits = True


@pytest.fixture
def app():
    return App({"/watched": Watched, "/watcher": Watcher, "/trapper": TrappingWatcher})


async def test_a_monitor_gets_down_with_the_reason(app):
    async with LiveClient.mount(app, "/watched") as watched:
        async with LiveClient.mount(app, "/watcher") as watcher:
            await watcher.event("monitor_it", name="watched")
            await watched.crash("0")
            await watcher.wait_for("#events", "Down:crash")


async def test_a_monitor_sees_a_normal_exit_as_normal(app):
    async with LiveClient.mount(app, "/watcher") as watcher:
        async with LiveClient.mount(app, "/watched"):
            await watcher.event("monitor_it", name="watched")
        # The watched tab left: its view stopped normally.
        await watcher.wait_for("#events", "Down:normal")


async def test_a_linked_failure_takes_the_other_actor_down(app):
    async with LiveClient.mount(app, "/watched") as watched:
        async with LiveClient.mount(app, "/watcher") as watcher:
            await watcher.event("link_it", name="watched")
            assert watcher.text("#events") == "linked"
            await watched.crash("0")
            # The watcher failed with LinkedExit and was restarted: its state is fresh.
            await watcher.wait_for("#events", "")
            assert watcher.version("0") == 1


async def test_trap_exits_turns_a_linked_failure_into_a_message(app):
    async with LiveClient.mount(app, "/watched") as watched:
        async with LiveClient.mount(app, "/trapper") as trapper:
            await trapper.event("link_it", name="watched")
            await watched.crash("0")
            await trapper.wait_for("#events", "linked Exit:crash")


async def test_a_name_is_held_by_one_running_actor_and_freed_when_it_exits(app):
    async with LiveClient.mount(app, "/watched") as first:
        names = session_of(first).tab.names
        ref = names.whereis("watched")
        assert ref is not None and ref.alive
        impostor = ActorRef("impostor", Mailbox(1))
        with pytest.raises(AlreadyRegistered):
            names.register("watched", impostor)
        impostor._mailbox.close()
    assert names.whereis("watched") is None


async def test_an_actor_that_monitored_and_linked_another_leaves_no_watcher_on_it(app):
    async with LiveClient.mount(app, "/watched") as watched:
        ref = session_of(watched).tab.names.whereis("watched")
        assert ref is not None
        before = len(ref._watchers)
        for _ in range(3):
            async with LiveClient.mount(app, "/trapper") as watcher:
                await watcher.event("monitor_it", name="watched")
                await watcher.event("link_it", name="watched")
                assert len(ref._watchers) == before + 2
        assert len(ref._watchers) == before


async def test_a_monitor_that_fired_or_was_cancelled_is_forgotten_by_the_watcher(app):
    async with LiveClient.mount(app, "/trapper") as watcher:
        for name in ("a", "b"):
            async with LiveClient.mount(app, f"/watched?name={name}"):
                await watcher.event("monitor_it", name=name)
        await watcher.wait_for("#events", "Down:normal Down:normal")
        assert session_of(watcher).view.services._watching == {}


class Recorder(Watcher):
    trap_exits = True
    reasons: list[object] = []

    def handle_info(self, message):
        Recorder.reasons.append(message.reason)
        super().handle_info(message)

    def terminate(self, reason):
        Recorder.reasons.append(reason)


async def test_exit_reasons_are_the_exception_itself_not_a_group(app, caplog):
    app = App({"/watched": Watched, "/recorder": Recorder})
    Recorder.reasons = []
    async with LiveClient.mount(app, "/watched") as watched:
        async with LiveClient.mount(app, "/recorder") as recorder:
            await recorder.event("monitor_it", name="watched")
            await recorder.event("link_it", name="watched")
            await watched.crash("0")
            await recorder.wait_for("#events", "linked Down:crash Exit:crash")
            down, exit = Recorder.reasons
            assert type(down) is InjectedCrash and exit is down
            assert down.__traceback__ is not None
            await recorder.crash("0")
            assert type(Recorder.reasons[-1]) is InjectedCrash  # terminate(reason)
    exits = [r for r in caplog.records if "exited (" in r.getMessage()]
    assert exits and all("InjectedCrash" in r.getMessage() for r in exits)
    assert not any("ExceptionGroup" in r.getMessage() for r in caplog.records)
