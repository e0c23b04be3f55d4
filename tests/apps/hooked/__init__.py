"""JS hooks, JS commands, roost-disable-with, loading classes, checkbox booleans
and form recovery, for the Chromium tests of tests/e2e/test_client_hooks.py,
test_client_commands.py and test_client_recovery.py.

``GET /release`` lets the held ``slow`` submit finish, so that a test sees its
in-flight state for as long as it needs, without a timer."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from roost import App, LiveComponent, LiveView, event

_held: list[anyio.Event] = []


async def release(request: Request) -> PlainTextResponse:
    released = len(_held)
    while _held:
        _held.pop().set()
    return PlainTextResponse(str(released))


class Side(LiveComponent):
    template = "side.html"

    def mount(self, **props):
        self.hellos = 0

    @event
    def hello(self, **payload):
        self.hellos += 1
        return {"from": "side", "hellos": self.hellos, "got": payload}


class Hooked(LiveView):
    template = "hooked.html"

    def mount(self, params, session):
        self.n = 0
        self.shown = True
        self.tone = "calm"
        self.opened = 0
        self.saved = 0
        self.agree = None
        self.title = ""
        self.body = ""
        self.drafts = 0
        self.notes = ""
        self.Side = Side

    @event
    def bump(self):
        self.n += 1

    @event
    def retone(self):
        # A patch of the class attribute of elements JS commands changed.
        self.tone = "loud" if self.tone == "calm" else "calm"

    @event
    def toggle_gone(self):
        self.shown = not self.shown

    @event
    def ping(self, **payload):
        self.push_event("pinged", {"n": self.n})
        return {"pong": payload, "n": self.n}

    @event
    def silent(self):
        """Replies nothing: the hook's promise resolves with undefined."""

    @event
    def opened_menu(self, **params):
        self.opened += 1

    @event
    async def slow(self):
        done = anyio.Event()
        _held.append(done)
        await done.wait()
        self.saved += 1

    @event
    def prefs(self, agree: bool):
        self.agree = agree

    @event
    def draft(self, title: str, body: str):
        self.title, self.body = title, body
        self.drafts += 1

    @event
    def note(self, notes: str):
        self.notes = notes


class Later(LiveView):
    """A page with no hook until a patch brings one: by a new element, or by a
    roost-hook attribute set on one already there."""

    template = "later.html"

    def mount(self, params, session):
        self.added = False
        self.named = False
        self.clicks = 0

    @event
    def add(self):
        self.added = not self.added
        self.clicks += 1

    @event
    def name(self):
        self.named = not self.named
        self.clicks += 1


app = App({"/": Hooked, "/later": Later}, http_routes=[Route("/release", release)])
