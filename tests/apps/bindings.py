"""Key, focus, window, click-away, rate-controlled and ignored bindings.

Every handled event is counted (``#n-NAME``) and its params shown (``#p-NAME``),
so a browser test waits on what the server saw."""

import json
from html import escape

from roost import App, LiveView, event

NAMES = ("enter", "up", "shortcut", "focused", "blurred", "away", "search", "go", "typed", "burst")

PAGE = """
<input id="enter" roost-keydown="enter" roost-key="enter" roost-value-from="box">
<input id="up" roost-keyup="up">
<div roost-window-keydown="shortcut" roost-key="/"></div>
<input id="focusable" roost-focus="focused" roost-blur="blurred">
<div id="menu" roost-click-away="away"><button id="inside">inside</button>
  <button id="inside-bump" roost-click="bump">bump inside</button></div>
<button id="outside">outside</button>
<form id="search" roost-change="search"><input name="q" id="q" roost-debounce="1000"></form>
<form id="slow" roost-change="search" roost-submit="go" roost-debounce="60000">
  <input name="q" id="slow-q"><button id="go">go</button></form>
<form id="later" roost-change="typed"><input name="b" id="b" roost-debounce="blur"></form>
<button id="burst" roost-click="burst" roost-throttle="60000">burst</button>
<div id="ignored" roost-update="ignore" data-tick="{tick}">
  <span id="ignored-tick">{tick}</span></div>
<span id="tick">{tick}</span>
<button id="bump" roost-click="bump">bump</button>
{counters}
"""


class Bindings(LiveView):
    def mount(self, params, session):
        self.counts = dict.fromkeys(NAMES, 0)
        self.last = dict.fromkeys(NAMES, "")
        self.tick = 0

    def seen(self, name, params):
        self.counts[name] += 1
        self.last[name] = json.dumps(params, sort_keys=True)

    @event
    def enter(self, **params):
        self.seen("enter", params)

    @event
    def up(self, **params):
        self.seen("up", params)

    @event
    def shortcut(self, **params):
        self.seen("shortcut", params)

    @event
    def focused(self, **params):
        self.seen("focused", params)

    @event
    def blurred(self, **params):
        self.seen("blurred", params)

    @event
    def away(self, **params):
        self.seen("away", params)

    @event
    def search(self, **params):
        self.seen("search", params)

    @event
    def go(self, **params):
        self.seen("go", params)

    @event
    def typed(self, **params):
        self.seen("typed", params)

    @event
    def burst(self, **params):
        self.seen("burst", params)

    @event
    def bump(self):
        self.tick += 1

    def render(self):
        counters = "".join(
            f'<span id="n-{name}">{self.counts[name]}</span>'
            f'<span id="p-{name}">{escape(self.last[name])}</span>'
            for name in NAMES
        )
        return PAGE.format(tick=self.tick, counters=counters)


app = App({"/": Bindings})
