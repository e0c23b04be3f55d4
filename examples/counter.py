"""The smallest roost app: a count with + and - buttons.

Run it with ``roost run examples.counter:app`` and open http://127.0.0.1:8000/.
"""

from roost import App, LiveView, event


class Counter(LiveView):
    template = "counter.html"

    def mount(self, params, session):
        start = params.get("start", "0")
        self.count = int(start) if start.lstrip("-").isdigit() else 0

    @event
    def inc(self):
        self.count += 1

    @event
    def dec(self):
        self.count -= 1


app = App({"/": Counter}, title="roost counter")
