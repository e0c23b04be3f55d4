"""A view whose button always crashes it: past its restart limit the user sees an error."""

from roost import App, LiveView, event


class Doomed(LiveView):
    def mount(self, params, session):
        self.alive = True

    @event
    def boom(self):
        raise RuntimeError("this view always fails")

    def render(self):
        return '<button id="boom" roost-click="boom">boom</button>'


app = App({"/": Doomed})
