"""What reaches an actor's mailbox: a message of none of roost's own kinds is
the app's (`ref.send(x)`) and goes to `handle_info`, never dropped."""

from __future__ import annotations

from roost import App, LiveView
from roost.testing import LiveClient

from .conftest import session_of


class Listener(LiveView):
    def mount(self, params, session):
        self.heard = []

    def handle_info(self, message):
        self.heard = [*self.heard, repr(message)]

    def render(self):
        return f"<p id='heard'>{' '.join(self.heard)}</p>"


async def test_a_plain_object_sent_to_an_actor_reaches_its_handle_info():
    async with LiveClient.mount(App({"/": Listener})) as view:
        ref = session_of(view).registry["0"]
        ref.send(("greeting", 1))
        ref.send({"kind": "note"})
        await view.wait_for("#heard", "('greeting', 1) {'kind': 'note'}")
