"""Apps for tests/e2e/test_join.py (`roost run tests.e2e.join_apps:NAME`)."""

from __future__ import annotations

import itertools

from markupsafe import escape

from roost import App, LiveView, event

ROWS = 1000


class Rows(LiveView):
    """1,000 rows; a click on one renames it."""

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


_MOUNTS = itertools.count(1)


class Drifting(LiveView):
    """Renders differently each time it mounts: the dead render is stale at once."""

    def mount(self, params, session):
        self.mount_no = next(_MOUNTS)
        self.n = 0

    def render(self) -> str:
        return (
            f'<p id="mount">{self.mount_no}</p><b id="n">{self.n}</b>'
            '<button id="inc" roost-click="inc">+</button>'
        )

    @event
    def inc(self):
        self.n += 1


class Markup(LiveView):
    """Markup a page load and the server's parse agree on, despite appearances:
    noscript (raw text with scripting on), an implied <tbody>, misnested tags."""

    def mount(self, params, session):
        self.n = 0

    def render(self) -> str:
        return (
            f"<noscript><p>no script {self.n}</p></noscript>"
            f"<table><tr><td id='cell'>{self.n}</td></tr></table>"
            f"<p>a<b>b<i>c</b>d</i> <span id='after'>{self.n}</span></p>"
            '<button id="inc" roost-click="inc">+</button>'
        )

    @event
    def inc(self):
        self.n += 1


class Counter(LiveView):
    def mount(self, params, session):
        self.count = 0

    def render(self) -> str:
        return f'<b id="count">{self.count}</b><button id="inc" roost-click="inc">+</button>'

    @event
    def inc(self):
        self.count += 1


rows = App({"/": Rows}, title="rows")
drifting = App({"/": Drifting}, title="drifting")
markup = App({"/": Markup}, title="markup")
# A session whose socket stays away longer than this ends; a rejoin mounts anew.
brief = App({"/": Counter}, title="brief", reconnect_grace=0.3)
