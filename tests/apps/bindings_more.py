"""Window key and focus bindings, rate control on change and submit, and a JS
transition, for tests/e2e/test_bindings_more.py.

Every handled event is appended to ``#log`` as ``[name, params]``, in the order
the server handled them, so a browser test waits on what the server saw."""

import json
from html import escape

from roost import JS, App, LiveView, event

FADE = escape(str(JS.transition("fading", to="#box", time=300)))

PAGE = """
<div roost-window-keyup="released" roost-key="Escape" roost-value-from="window"></div>
<div roost-window-focus="back" roost-window-blur="left"></div>
<form id="throttled" roost-change="throttled"><input name="t" id="t" roost-throttle="500"></form>
<form id="once" roost-submit="saved" roost-debounce="200">
  <input name="title" id="title"><button id="save">save</button></form>
<form id="draft" roost-submit="posted" roost-debounce="100">
  <input name="body" id="body" roost-change="drafted" roost-debounce="60000">
  <button id="post">post</button></form>
<form id="note" roost-change="drafted" roost-submit="posted">
  <input name="body" id="note-body" roost-debounce="60000"><button id="send">send</button></form>
<form id="guarded" roost-submit="saved" roost-throttle="60000">
  <button id="guard">go</button></form>
<div id="box" class="box">box</div>
<button id="fade" roost-click="{fade}">fade</button>
<span id="tick">{tick}</span>
<button id="bump" roost-click="bump">bump</button>
<pre id="log">{log}</pre>
"""


class BindingsMore(LiveView):
    def mount(self, params, session):
        self.log = []
        self.tick = 0

    def seen(self, name, params):
        self.log.append([name, params])

    @event
    def released(self, **params):
        self.seen("released", params)

    @event
    def back(self, **params):
        self.seen("back", params)

    @event
    def left(self, **params):
        self.seen("left", params)

    @event
    def throttled(self, **params):
        self.seen("throttled", params)

    @event
    def saved(self, **params):
        self.seen("saved", params)

    @event
    def drafted(self, **params):
        self.seen("drafted", params)

    @event
    def posted(self, **params):
        self.seen("posted", params)

    @event
    def bump(self):
        self.tick += 1

    def render(self):
        return PAGE.format(fade=FADE, tick=self.tick, log=escape(json.dumps(self.log)))


app = App({"/": BindingsMore})
