"""A component that tells its view, which re-renders too: one click, two patches
(and, over a socket, one frame holding both)."""

from roost import App, LiveComponent, LiveView, event, on_component


class Picker(LiveComponent):
    def mount(self, choice="a"):
        self.choice = choice

    def render(self) -> str:
        return (
            f'<b id="choice">{self.choice}</b>'
            '<button id="pick-b" roost-click="pick" roost-value-choice="b">b</button>'
        )

    @event
    def pick(self, choice: str):
        self.choice = choice
        self.send_parent("picked", {"choice": choice})


class Panel(LiveView):
    """A component that tells its view, which re-renders too: one click, two patches."""

    def mount(self, params, session):
        self.picker = Picker()
        self.shown = "a"

    def render(self) -> str:
        return f'<div>{self.picker}</div><p id="shown">{self.shown}</p>'

    @on_component("picked")
    def picked(self, component_id, data):
        self.shown = data["choice"]


app = App({"/": Panel})
