"""A server that refuses every join (no room for a session): the page keeps backing off."""

from roost import App, LiveView


class Unreachable(LiveView):
    def render(self):
        return "<p id='dead'>served, never joined</p>"


app = App({"/": Unreachable}, max_sessions=0)
