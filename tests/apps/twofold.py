"""A view whose every click patches three places: a count, a list and a total."""

from roost import App, LiveView, event


class Twofold(LiveView):
    def mount(self, params, session):
        self.n = 0

    @event
    def inc(self):
        self.n += 1

    def render(self):
        items = "".join(f"<li>{i}</li>" for i in range(self.n))
        return (
            '<button id="inc" roost-click="inc">+</button>'
            f'<p id="first">{self.n}</p><ul id="items">{items}</ul><p id="last">{self.n * 10}</p>'
        )


app = App({"/": Twofold})
