"""A view that moves its component into another wrapper element on demand."""

from roost import App, LiveComponent, LiveView, event


class Clicks(LiveComponent):
    def mount(self):
        self.clicks = 0

    @event
    def click(self):
        self.clicks += 1

    def render(self):
        return f'<button id="clicks" roost-click="click">{self.clicks}</button>'


class Wrapping(LiveView):
    def mount(self, params, session):
        self.boxed = False
        self.clicks = Clicks()

    @event
    def toggle(self):
        self.boxed = not self.boxed

    def render(self):
        inner = self.clicks.__html__()
        wrapped = f'<section id="box">{inner}</section>' if self.boxed else f"<div>{inner}</div>"
        return f'<button id="toggle" roost-click="toggle">toggle</button>{wrapped}'


app = App({"/": Wrapping})
