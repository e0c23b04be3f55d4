"""A view that says, on the server's stdout, how it ended: for tests that stop
``roost run`` and check that ``terminate`` ran with the view's state."""

from roost import App, LiveView, event


class Terminating(LiveView):
    def mount(self, params, session):
        self.count = 0

    def render(self) -> str:
        return f'<b id="count">{self.count}</b><button roost-click="inc">+</button>'

    @event
    def inc(self):
        self.count += 1

    def terminate(self, reason):
        print(f"terminated count={self.count} reason={reason!r}", flush=True)


app = App({"/": Terminating})
