"""Protocol v2 on the wire, through LiveClient (in process and over a socket):
a join sends no HTML the page already holds, and an event is answered by the
patch it caused, in one frame."""

from __future__ import annotations

import itertools
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import pytest
import trio
from markupsafe import escape

from roost import App, LiveComponent, LiveView, event, protocol
from roost.render import parse_html, served_contents, to_html
from roost.server import Runtime
from roost.testing import LiveClient

# -- the apps ----------------------------------------------------------------------


class Counter(LiveView):
    def mount(self, params, session):
        self.count = int(params.get("start", 0))

    def render(self) -> str:
        return (
            f'<p>Count: <b id="n">{self.count}</b></p><button id="inc" roost-click="inc">+</button>'
        )

    @event
    def inc(self):
        self.count += 1

    @event
    def same(self):
        self.count = self.count


class Child(LiveComponent):
    def mount(self, label="child"):
        self.label = label
        self.n = 0

    def render(self) -> str:
        return (
            f'<span class="label">{escape(self.label)}</span> <b class="n">{self.n}</b>'
            '<button class="inc" roost-click="inc">+</button>'
        )

    @event
    def inc(self):
        self.n += 1


class Parent(LiveView):
    def mount(self, params, session):
        self.count = 0
        self.shown = True
        self.one = Child(id="one", label="one")
        self.two = Child(id="two", label="two")

    def render(self) -> str:
        second = str(self.two) if self.shown else ""
        return f'<h1 id="count">{self.count}</h1><div class="kids">{self.one}{second}</div>'

    @event
    def inc(self):
        self.count += 1

    @event
    def toggle(self):
        self.shown = not self.shown


MOUNTS = itertools.count(1)


class Drifting(LiveView):
    """Renders differently each time it mounts: the dead render is stale at once."""

    def mount(self, params, session):
        self.mount_no = next(MOUNTS)

    def render(self) -> str:
        return f'<p id="mount">{self.mount_no}</p>'


class Markup(LiveView):
    """Markup that a page load and a lone render parse alike, despite appearances."""

    def mount(self, params, session):
        self.n = 0

    def render(self) -> str:
        return (
            f"<noscript><p>no script {self.n}</p></noscript>"
            f"<table><tr><td id='cell'>{self.n}</td></tr></table>"
            f"<p>a<b>b<i>c</b>d</i> {self.n}</p>"
            '<button id="inc" roost-click="inc">+</button>'
        )

    @event
    def inc(self):
        self.n += 1


class Stray(LiveView):
    """A stray end tag: in the page it closes the view's container early."""

    def mount(self, params, session):
        self.n = 0

    def render(self) -> str:
        return f'<div id="a">{self.n}</div></div><p id="b">{self.n}</p>'

    @event
    def inc(self):
        self.n += 1


ROWS = 1000


class Rows(LiveView):
    def mount(self, params, session):
        self.names = [f"row {i}" for i in range(ROWS)]

    def render(self) -> str:
        rows = "".join(
            f'<li data-key="{i}" roost-click="bump" roost-value-row="{i}">{escape(name)}</li>'
            for i, name in enumerate(self.names)
        )
        return f"<h1>Rows</h1><ul>{rows}</ul>"

    @event
    def bump(self, row: int):
        names = list(self.names)
        names[row] += "!"
        self.names = names


ROUTES = {
    "/": Counter,
    "/parent": Parent,
    "/drifting": Drifting,
    "/markup": Markup,
    "/stray": Stray,
    "/rows": Rows,
}


@dataclass
class Opener:
    mode: str
    app: App
    url: str = ""

    def __call__(self, path: str = "/") -> AbstractAsyncContextManager[LiveClient]:
        if self.mode == "in_process":
            return LiveClient.mount(self.app, path)
        return LiveClient.connect(self.url, path, app=self.app)


@pytest.fixture(params=["in_process", "socket"])
async def open_view(request, nursery):
    app = App(ROUTES, secret="test-secret")
    if request.param == "in_process":
        yield Opener("in_process", app)
        return
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    yield Opener("socket", app, runtime.urls[0])
    nursery.cancel_scope.cancel()


def received(view: LiveClient, since: int = 0) -> list[protocol.ServerMessage]:
    return [protocol.decode_server(f.text) for f in view.frames[since:] if not f.sent]


def renders(view: LiveClient) -> list[protocol.Render]:
    return [m for m in received(view) if isinstance(m, protocol.Render)]


# -- joining: no second page ---------------------------------------------------------


async def test_a_join_of_an_unchanged_page_sends_no_html(open_view):
    async with open_view("/?start=7") as view:
        assert renders(view) == [protocol.Render("0", 1)]
        assert sum(f.size for f in view.frames if not f.sent and f.text.startswith("[1,")) == 9
        assert view.text("#n") == "7" and view.version() == 1
        await view.click("#inc")  # the page works from the content it was served
        assert view.text("#n") == "8"


async def test_each_component_on_an_unchanged_page_is_kept_as_served(open_view):
    async with open_view("/parent") as view:
        assert sorted((r.target, r.version, r.html) for r in renders(view)) == [
            ("0", 1, None),
            ("one", 1, None),
            ("two", 1, None),
        ]
        assert view.text('[data-roost-id="two"] .label') == "two"
        await view.click('[data-roost-id="two"] .inc')
        await view.click("#count ~ .kids [data-roost-id='one'] .inc")
        await view.event("inc")
        assert view.text('[data-roost-id="two"] .n') == "1"
        assert view.text('[data-roost-id="one"] .n') == "1"
        assert view.text("#count") == "1"


async def test_a_1000_row_page_joins_for_a_few_bytes(open_view):
    async with open_view("/rows") as view:
        down = [f for f in view.frames if not f.sent]
        assert [f.text for f in down if f.text.startswith("[1,")] == ['[1,"0",1]']
        assert sum(f.size for f in down) < 100
        assert view.text('li[data-key="999"]') == "row 999"


async def test_the_page_kept_is_exactly_what_a_full_render_would_give(open_view):
    for path in ("/", "/parent", "/markup"):
        async with open_view(path) as view:
            assert all(r.html is None for r in renders(view)), path
            kept = view.html()
            render = await view.crash()  # restarts with full renders (nothing is kept twice)
            assert isinstance(render, protocol.Render) and render.html is not None
            assert view.html() == kept, path


async def test_markup_kept_as_served_patches_like_any_other(open_view):
    async with open_view("/markup") as view:
        assert renders(view) == [protocol.Render("0", 1)]
        for n in ("1", "2"):
            await view.click("#inc")
            assert view.text("#cell") == n
        assert view.version() == 3


async def test_a_view_that_renders_differently_when_connected_sends_its_html(open_view):
    async with open_view("/drifting") as view:
        (render,) = renders(view)
        assert render.html is not None
        assert render.html == f'<p id="mount">{view.text("#mount")}</p>'  # the live mount's


async def test_markup_a_page_load_nests_elsewhere_is_sent_in_full(open_view):
    # In the page the stray </div> closes the view's container before the <p>.
    async with open_view("/stray") as view:
        (render,) = renders(view)
        assert render.html is not None
        assert view.exists("#b")
        await view.event("inc")
        assert view.text("#b") == "1"


async def test_a_new_session_on_a_page_that_changed_since_it_loaded_gets_the_full_content(
    open_view, autojump_clock
):
    async with open_view("/?start=3") as view:
        await view.click("#inc")
        await view.disconnect()
        await trio.sleep(60)  # past the grace period: the session is gone
        before = len(view.frames)
        await view.reconnect()
        # The server's new session renders what the page was served (3), but the
        # page shows 4: it asks for the content instead of keeping its own.
        messages = received(view, before)
        assert protocol.Render("0", 1) in messages
        sent = [protocol.decode_client(f.text) for f in view.frames[before:] if f.sent]
        assert any(isinstance(m, protocol.Sync) for m in sent)
        full = [m for m in messages if isinstance(m, protocol.Render) and m.html is not None]
        assert full and view.text("#n") == "3"
        await view.click("#inc")
        assert view.text("#n") == "4"


async def test_a_resumed_session_sends_full_renders_whatever_the_page_held(open_view):
    async with open_view("/parent") as view:
        await view.disconnect()
        before = len(view.frames)
        await view.reconnect()

        def resumed(v: LiveClient) -> list[protocol.Render]:
            found = [m for m in received(v, before) if isinstance(m, protocol.Render)]
            return found if len(found) == 3 else []

        resumed = await view.wait_for(resumed)
        assert {m.target for m in resumed} == {"0", "one", "two"}
        assert all(m.html is not None for m in resumed)


def test_served_contents_split_the_page_by_container():
    page = (
        '<!DOCTYPE html><html><body><div data-roost-id="0" data-roost-token="t">'
        '<p>a</p><div data-roost-id="c"><b>x</b><div data-roost-id="d">y</div></div>'
        "</div></body></html>"
    )
    contents = served_contents(page)
    assert {t: to_html(tree) for t, tree in contents.items()} == {
        "0": '<p>a</p><div data-roost-id="c"></div>',
        "c": '<b>x</b><div data-roost-id="d"></div>',
        "d": "y",
    }
    assert contents["c"] == parse_html('<b>x</b><div data-roost-id="d"></div>')


def test_an_id_on_the_page_twice_is_not_kept():
    page = (
        '<div data-roost-id="0"><div data-roost-id="c">1</div><div data-roost-id="c">2</div></div>'
    )
    assert set(served_contents(page)) == {"0"}


# -- events: answered in the patch ---------------------------------------------------


async def test_a_click_is_answered_by_its_patch_in_one_frame(open_view):
    async with open_view("/") as view:
        before = len(view.frames)
        reply = await view.click("#inc")
        event_frame, patch_frame = view.frames[before:]
        patch = protocol.decode_server(patch_frame.text)
        assert isinstance(patch, protocol.Patch) and patch.acked == [reply.ref]
        assert view.text("#n") == "1"  # applied by the time the reply is
        assert event_frame.size + patch_frame.size <= 40


async def test_an_event_that_changes_nothing_is_answered_by_a_plain_ack(open_view):
    async with open_view("/") as view:
        before = len(view.frames)
        reply = await view.event("same")
        assert received(view, before) == [protocol.Ack(reply.ref)]


async def test_a_component_click_is_answered_by_the_components_patch(open_view):
    async with open_view("/parent") as view:
        before = len(view.frames)
        reply = await view.click('[data-roost-id="one"] .inc')
        (patch,) = received(view, before)
        assert isinstance(patch, protocol.Patch)
        assert (patch.target, patch.acked) == ("one", [reply.ref])


async def test_a_batch_of_events_is_answered_by_its_one_patch():
    async with LiveClient.mount(App(ROUTES)) as view:
        before = len(view.frames)
        session = view.session
        await session.receive(protocol.Event(900, "inc"))
        await session.receive(protocol.Event(901, "inc"))
        await view.wait_for(lambda v: 901 in v.replies)
        (patch,) = received(view, before)
        assert isinstance(patch, protocol.Patch)
        assert patch.acked == [900, 901] and patch.acks == [900, 901]
        assert view.replies[900] == protocol.Ack(900) and view.text("#n") == "2"


async def test_when_components_come_or_go_the_ack_follows_them(open_view):
    async with open_view("/parent") as view:
        before = len(view.frames)
        reply = await view.event("toggle")  # "two" goes: it is stopped before the reply
        messages = received(view, before)
        assert isinstance(messages[0], protocol.Patch) and messages[0].acked == []
        assert messages[-1] == protocol.Ack(reply.ref)
        assert not view.exists('[data-roost-id="two"]')
        before = len(view.frames)
        reply = await view.event("toggle")  # "two" comes back: its render precedes the reply
        messages = received(view, before)
        assert [type(m).__name__ for m in messages] == ["Patch", "Render", "Ack"]
        assert view.text('[data-roost-id="two"] .n') == "0"


async def test_errors_are_still_their_own_frames(open_view):
    async with open_view("/") as view:
        error = await view.event("nope", expect_error=True)
        assert isinstance(error, protocol.Error) and error.code == "unknown_event"
        assert view.replies[error.ref] == error


async def test_a_row_change_on_a_1000_row_page_costs_at_most_70_bytes_both_ways(open_view):
    async with open_view("/rows") as view:
        before = len(view.frames)
        await view.click('li[data-key="500"]')
        frames = view.frames[before:]
        assert [f.sent for f in frames] == [True, False]
        assert sum(f.size for f in frames) <= 70, frames
        assert view.text('li[data-key="500"]') == "row 500!"
