"""LiveClient opens a view in process or over a real WebSocket, reads the page
the browser would show, acts on it, and injects faults; the same tests run
both ways."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import pytest
import trio

from roost import App, LiveComponent, LiveView, event, protocol
from roost.render import ops
from roost.server import Runtime
from roost.testing import (
    Disconnected,
    EventError,
    InjectedCrash,
    LiveClient,
    MountError,
    SelectorError,
    WaitTimeout,
)
from roost.testing._leaks import leaked_tasks, no_leaked_tasks, running_tasks

# -- the apps under test ---------------------------------------------------------


class Counter(LiveView):
    def mount(self, params, session):
        self.count = int(params.get("start", 0))

    def render(self) -> str:
        return (
            f'<span id="count">{self.count}</span>'
            '<button id="plus" roost-click="inc">+</button>'
            '<button id="plus5" roost-click="inc" roost-value-by="5">+5</button>'
            '<div roost-target="nobody"><button id="elsewhere" roost-click="inc">?</button></div>'
        )

    @event
    def inc(self, by: int = 1):
        self.count += by

    @event
    def same(self):
        self.count = self.count

    @event
    def boom(self):
        raise RuntimeError("boom")


class Ticker(LiveView):
    """Changes on its own after a click: a timer message, not the event's reply."""

    def mount(self, params, session):
        self.status = "idle"

    def render(self) -> str:
        late = '<b id="late">late</b>' if self.status == "ticked" else ""
        return f'<p id="status">{self.status}</p><button id="go" roost-click="go">go</button>{late}'

    @event
    def go(self):
        self.status = "waiting"
        self.send_after(0, "tick")

    def handle_info(self, message):
        if message == "tick":
            self.status = "ticked"


class Greeting(LiveView):
    template = "greeting.html"  # next to this file

    def mount(self, params, session):
        self.name = params.get("name", "world")
        self.visits = 0

    @event
    def visit(self):
        self.visits += 1


class Fragile(LiveComponent):
    def mount(self, label="child"):
        self.label = label
        self.count = 0

    def render(self) -> str:
        return (
            f'<b id="child-count">{self.count}</b>'
            '<button id="child-inc" roost-click="inc">+</button>'
        )

    @event
    def inc(self):
        self.count += 1


class Parent(LiveView):
    template = "parent.html"  # places the component with {{ child }}

    def mount(self, params, session):
        self.count = 0
        self.child = Fragile(id="child", label="child")

    @event
    def inc(self):
        self.count += 1


ROUTES = {"/": Counter, "/ticker": Ticker, "/greeting": Greeting, "/parent": Parent}


# -- one fixture, two ways in ------------------------------------------------------


@dataclass
class Opener:
    """``open_view(path)`` opens a LiveClient the way this test run was parametrized."""

    mode: str
    app: App
    url: str = ""

    def __call__(self, path: str = "/", **options) -> AbstractAsyncContextManager[LiveClient]:
        if self.mode == "in_process":
            return LiveClient.mount(self.app, path, **options)
        return LiveClient.connect(self.url, path, app=self.app, **options)


async def serve(nursery: trio.Nursery) -> Opener:
    """A real server (hypercorn on a free port) for ROUTES, in the test's nursery."""
    app = App(ROUTES, secret="test-secret")
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    return Opener("socket", app, runtime.urls[0])


@pytest.fixture(params=["in_process", "socket"])
async def open_view(request, nursery):
    if request.param == "in_process":
        yield Opener("in_process", App(ROUTES, secret="test-secret"))
    else:
        yield await serve(nursery)
        nursery.cancel_scope.cancel()


@pytest.fixture
async def server(nursery):
    yield await serve(nursery)
    nursery.cancel_scope.cancel()


# -- reading -----------------------------------------------------------------------


async def test_mount_shows_the_views_first_render_with_the_query_params(open_view):
    async with open_view("/?start=3") as view:
        assert view.text("#count") == "3"
        assert view.version() == 1
        assert view.exists("#plus") and not view.exists("#minus")
        assert view.attr("#plus5", "roost-value-by") == "5"
        assert view.attr("#plus", "roost-value-by") is None
        assert view.html().startswith('<span id="count">3</span>')
        assert view.html("#count") == '<span id="count">3</span>'


async def test_a_view_with_a_template_file_renders_it(open_view):
    async with open_view("/greeting?name=Ada") as view:
        assert view.text("#hello") == "Hello, Ada!"
        await view.click("#visit")
        assert view.text("#visits") == "1"


async def test_a_selector_must_match_exactly_one_element_to_be_read_or_clicked(open_view):
    async with open_view() as view:
        with pytest.raises(SelectorError, match="matched 0 elements"):
            view.text("#nothing")
        with pytest.raises(SelectorError, match="matched 3 elements"):
            await view.click("button")
        with pytest.raises(SelectorError, match="no roost-click"):
            await view.click("#count")


# -- acting ------------------------------------------------------------------------


async def test_click_sends_the_elements_event_and_returns_after_its_patch(open_view):
    async with open_view("/?start=3") as view:
        reply = await view.click("#plus")
        assert isinstance(reply, protocol.Ack)
        assert view.text("#count") == "4"
        assert view.version() == 2
        sent = protocol.decode_client(next(f.text for f in reversed(view.frames) if f.sent))
        assert sent == protocol.Event(sent.ref, "inc")


async def test_click_sends_roost_value_attributes_as_string_params(open_view):
    async with open_view() as view:
        await view.click("#plus5")
        event_frame = [f for f in view.frames if f.sent][-1]
        assert protocol.decode_client(event_frame.text).params == {"by": "5"}
        assert view.text("#count") == "5"


async def test_click_targets_the_nearest_roost_target(open_view):
    async with open_view() as view:
        with pytest.raises(EventError) as info:
            await view.click("#elsewhere")
        assert info.value.code == protocol.UNKNOWN_TARGET
        assert info.value.target == "nobody"


async def test_a_raw_event_carries_its_params(open_view):
    async with open_view() as view:
        await view.event("inc", by=2)
        await view.event("inc", {"by": 3}, target="0")
        assert view.text("#count") == "5"


async def test_an_unknown_event_raises_event_error_with_its_code_and_the_view_lives_on(open_view):
    async with open_view() as view:
        with pytest.raises(EventError) as info:
            await view.event("nope")
        assert info.value.code == protocol.UNKNOWN_EVENT
        assert "nope" in str(info.value)
        await view.click("#plus")
        assert view.text("#count") == "1"


async def test_bad_params_are_refused_with_bad_params(open_view):
    async with open_view() as view:
        error = await view.event("inc", by="many", expect_error=True)
        assert error.code == protocol.BAD_PARAMS
        with pytest.raises(AssertionError, match="acknowledged"):
            await view.event("inc", expect_error=True)
        assert view.text("#count") == "1"


async def test_a_raising_handler_restarts_the_view_and_the_client_sees_its_fresh_render(open_view):
    async with open_view("/?start=3") as view:
        await view.click("#plus")
        assert view.text("#count") == "4"
        error = await view.event("boom", expect_error=True)
        assert error.code == protocol.CRASHED
        render = await view.next_message(protocol.Render)
        assert (render.target, render.version) == ("0", 1)
        assert view.text("#count") == "3"
        await view.click("#plus")
        assert view.text("#count") == "4"


async def test_a_change_that_alters_nothing_sends_no_patch(open_view):
    async with open_view() as view:
        renders, frames = len(view.renders), len(view.frames)
        await view.event("same")
        assert len(view.renders) == renders
        assert [protocol.decode_server(f.text) for f in view.frames[frames:] if not f.sent] == [
            protocol.Ack(view.messages[-1].ref)
        ]


async def test_a_counter_click_costs_at_most_40_bytes_on_the_wire_both_ways(open_view):
    async with open_view() as view:
        before = len(view.frames)
        await view.click("#plus")
        click = view.frames[before:]
        assert [f.sent for f in click] == [True, False]  # the event, the patch that answers it
        assert sum(f.size for f in click) <= 40, click
        event, patch = (
            protocol.decode_client(click[0].text),
            protocol.decode_server(click[1].text),
        )
        assert isinstance(event, protocol.Event) and isinstance(patch, protocol.Patch)
        assert patch.acked == [event.ref] and view.replies[event.ref] == protocol.Ack(event.ref)


async def test_wait_for_sees_what_the_server_sends_on_its_own(open_view):
    async with open_view("/ticker") as view:
        await view.click("#go")
        await view.wait_for("#status", "ticked")
        assert view.text("#status") == "ticked"
        assert await view.wait_for(lambda v: v.text("#status") == "ticked")


async def test_a_callable_condition_may_read_an_element_that_is_not_there_yet(open_view):
    async with open_view("/ticker") as view:
        with pytest.raises(SelectorError):
            view.text("#late")
        await view.click("#go")
        assert await view.wait_for(lambda v: v.text("#late") == "late")


async def test_next_message_returns_each_message_once_in_order(open_view):
    async with open_view() as view:
        await view.click("#plus")
        await view.event("same")  # no change: a plain Ack
        await view.click("#plus")
        assert isinstance(await view.next_message(protocol.Ack), protocol.Ack)
        first = await view.next_message()
        assert isinstance(first, protocol.Patch) and first.version == 2  # skipped above, kept
        third = await view.next_message()
        assert isinstance(third, protocol.Patch) and third.version == 3


# -- components --------------------------------------------------------------------


async def test_a_components_content_is_composed_into_its_container(open_view):
    async with open_view("/parent") as view:
        assert view.text("#child-count") == "0"
        assert view.exists('[data-roost-id="child"] #child-inc')
        await view.click("#child-inc")
        await view.click("#parent-inc")
        assert (view.text("#parent-count"), view.text("#child-count")) == ("1", "1")
        assert view.version("child") == 2 and view.version() == 2


async def test_crashing_a_component_restarts_only_it(open_view):
    async with open_view("/parent") as view:
        await view.click("#parent-inc")
        await view.click("#child-inc")
        render = await view.crash("child")
        assert (render.target, render.version) == ("child", 1)
        assert (view.text("#parent-count"), view.text("#child-count")) == ("1", "0")


# -- faults ------------------------------------------------------------------------


async def test_crash_makes_the_view_fail_and_returns_its_fresh_render(open_view):
    async with open_view("/?start=3") as view:
        await view.click("#plus")
        render = await view.crash()
        assert isinstance(render, protocol.Render) and render.version == 1
        assert view.text("#count") == "3"


async def test_disconnect_then_reconnect_resumes_the_session_with_its_state(open_view):
    async with open_view("/?start=3") as view:
        await view.click("#plus")
        await view.disconnect()
        assert not view.connected
        with pytest.raises(Disconnected):
            await view.click("#plus")
        renders = len(view.renders)
        await view.reconnect()
        assert view.connected
        assert isinstance(view.renders[renders], protocol.Render)
        assert view.text("#count") == "4"
        version = view.version()
        await view.click("#plus")
        assert view.text("#count") == "5"
        assert view.version() == version + 1


async def test_reconnecting_after_the_grace_period_mounts_afresh(open_view, autojump_clock):
    async with open_view("/?start=3") as view:
        await view.click("#plus")
        await view.disconnect()
        await trio.sleep(60)  # virtual time, past the default 30 s grace
        await view.reconnect()
        assert view.text("#count") == "3"
        assert view.version() == 1


async def test_a_missing_page_raises_mount_error(open_view):
    with pytest.raises(MountError) as info:
        async with open_view("/nowhere"):
            pass  # pragma: no cover
    assert info.value.code in ("not_found", "http_404")


async def test_an_exception_in_the_block_comes_out_as_itself(open_view):
    with pytest.raises(KeyError):
        async with open_view():
            raise KeyError("mine")


# -- in process only -----------------------------------------------------------------


async def test_crashes_past_the_restart_limit_show_the_error_in_the_views_place(autojump_clock):
    # The mock clock keeps all four crashes inside the 5-second intensity window.
    async with LiveClient.mount(App(ROUTES)) as view:
        for _ in range(3):
            assert isinstance(await view.crash(), protocol.Render)
        final = await view.crash()
        assert isinstance(final, protocol.Crash)
        assert view.html() == f'<p role="alert" class="roost-error">{final.message}</p>'
        with pytest.raises(Disconnected):
            await view.event("inc")
        assert not view.connected


async def test_a_version_gap_makes_the_client_ask_for_a_full_render():
    async with LiveClient.mount(App(ROUTES)) as view:
        await view.click("#plus")
        # A patch from the future, as if the one before it had been lost.
        await view.session.outbox.put(protocol.Patch([[ops.TEXT, [0, 0], "bogus"]], version=9))
        render = await view.next_message(protocol.Render)
        assert isinstance(
            [protocol.decode_client(f.text) for f in view.frames if f.sent][-1], protocol.Sync
        )
        assert render.version == 2
        assert view.version() == 2 and view.text("#count") == "1"


async def test_a_wait_that_never_ends_raises_wait_timeout():
    async with LiveClient.mount(App(ROUTES), timeout=0.1) as view:
        with pytest.raises(WaitTimeout, match="'#never'"):
            await view.wait_for("#never")


async def test_the_timeout_is_wall_clock_time_so_virtual_timers_can_be_waited_for(
    autojump_clock,
):
    class Slow(LiveView):
        def mount(self, params, session):
            self.done = False

        def render(self):
            return f'<p id="done">{self.done}</p>'

        @event
        def start(self):
            self.send_after(3600, "done")  # an hour, far past the client's timeout

        def handle_info(self, message):
            self.done = True

    async with LiveClient.mount(App({"/": Slow}), timeout=5) as view:
        await view.event("start")
        await view.wait_for("#done", "True")


async def test_two_clients_in_one_block_share_the_apps_runtime():
    app = App(ROUTES)
    async with LiveClient.mount(app) as first:
        runtime = app.runtime
        async with LiveClient.mount(app) as second:
            assert app.runtime is runtime
            assert runtime.sessions.count_children()["active"] == 2
            await second.click("#plus")
        assert first.text("#count") == "0"
        await first.click("#plus")
    assert app.runtime is None


async def test_nothing_the_client_started_outlives_its_block():
    async with no_leaked_tasks():
        async with LiveClient.mount(App(ROUTES), "/parent") as view:
            await view.click("#child-inc")
            await view.crash("child")


# -- over a socket only -----------------------------------------------------------------


def _started_by(task: trio.lowlevel.Task) -> Callable[[trio.lowlevel.Task], bool]:
    def descends(other: trio.lowlevel.Task) -> bool:
        nursery = other.parent_nursery
        while nursery is not None:
            if nursery.parent_task is task:
                return True
            nursery = nursery.parent_task.parent_nursery
        return False

    return descends


async def test_over_a_socket_nothing_the_client_started_outlives_its_block(server):
    # The server's own tasks (hypercorn's per-connection ones) are not the
    # client's: only tasks started under this test's task are checked.
    baseline = running_tasks()
    async with server("/parent") as view:
        await view.click("#child-inc")
        await view.disconnect()
        await view.reconnect()
    mine = _started_by(trio.lowlevel.current_task())
    assert not [t for t in leaked_tasks(baseline) if mine(t)]
    assert server.app.runtime.sessions.count_children()["active"] == 0


async def test_crash_over_a_socket_needs_the_app(server):
    async with LiveClient.connect(server.url) as view:
        with pytest.raises(RuntimeError, match="app=app"):
            await view.crash()
        await view.click("#plus")
        assert view.text("#count") == "1"


def test_injected_crash_is_the_actor_layers_exception():
    from roost.actors.messages import InjectedCrash as raised_by_actors

    assert InjectedCrash is raised_by_actors
