"""Crash isolation you can click: the Crash button raises in a component's
handler; only that component restarts, the view's count survives.

Run it with ``roost run examples.crashy:app``.
"""

from roost import App, LiveComponent, LiveView, event


class Fragile(LiveComponent):
    template = "fragile.html"

    def mount(self, label="child"):
        self.label = label
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    @event
    def crash(self):
        raise RuntimeError("the Crash button was clicked")


class CrashyView(LiveView):
    template = "crashy.html"

    def mount(self, params, session):
        self.count = 0
        self.child = Fragile(label="child")

    @event
    def inc(self):
        self.count += 1


app = App({"/": CrashyView}, title="roost crashy")
