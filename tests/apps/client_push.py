"""A view whose button pushes an event to the browser (`roost:ping` on window)."""

from roost import App, LiveView, event


class Pusher(LiveView):
    @event
    def ping(self):
        self.push_event("ping", {"n": 1})

    def render(self):
        return '<button id="ping" roost-click="ping">ping</button>'


app = App({"/": Pusher})
