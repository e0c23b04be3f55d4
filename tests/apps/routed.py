"""Routes with a typed parameter, for `roost routes` and routing tests."""

from roost import App, LiveView


class Index(LiveView):
    def render(self) -> str:
        return '<a href="/incidents/1">incident 1</a>'


class Incident(LiveView):
    def mount(self, params, session):
        self.number = params["id"]

    def render(self) -> str:
        return f"<h1>Incident {self.number + 0}</h1>"


app = App({"/": Index, "/incidents/{id:int}": Incident})
