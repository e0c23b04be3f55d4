"""A chat room over pubsub: every tab subscribes to one topic, a message
posted in one reaches all of them; and who is here, with Presence.

Every post goes to every tab, so what one client sends is bounded: a name and
a message have a maximum length (a longer post is refused with an error in the
page, as a Phoenix changeset would refuse it). The history is a stream
(docs/guide.md, "Streams"): each message is rendered once, sent to the tab as
one insert, and forgotten by the server, which holds no history at all; the
browser keeps the last ``KEEP`` (the stream's limit).

Each tab of the app's page is tracked on the room's topic under the name in
its link (docs/guide.md, "Presence"), and lists everyone in the room, in this
process and in every other one sharing the pubsub; a join or a leave anywhere
updates every list.

Run it with ``roost run examples.chat:app``.
"""

import itertools
from typing import ClassVar

from roost import App, LiveView, Presence, PresenceDiff, event

TOPIC = "chat:lobby"
KEEP = 50
"""How many messages each tab shows (its browser keeps; the server holds none)."""
MAX_NAME = 40
MAX_TEXT = 500
"""The longest name and message, in characters (the inputs' ``maxlength`` too)."""
ANONYMOUS = "anonymous"


def validate(name: str, text: str) -> str | None:
    """The error to show for a post, or None (both already stripped)."""
    errors = []
    if len(name) > MAX_NAME:
        errors.append(f"A name can have at most {MAX_NAME} characters.")
    if len(text) > MAX_TEXT:
        errors.append(f"A message can have at most {MAX_TEXT} characters.")
    return " ".join(errors) or None


SHOWN = 50
"""The most names a tab lists (the count covers everyone): a room of thousands
would otherwise cost every tab a list of thousands to render on each change."""


def who_is_here(presence: Presence) -> tuple[int, tuple[tuple[str, int], ...]]:
    """How many are in the room, and the first ``SHOWN`` names by name, each
    with its number of tabs: made once per change of the room by this
    process's node and shared by every tab (``Presence.summary``), and
    tuples, which are never fingerprinted after a batch (docs/guide.md,
    "Assigns and rendering")."""
    return presence.summary(TOPIC, SHOWN)


class ChatView(LiveView):
    """The room. Without ``presence`` (in an app whose tree runs none), it has
    no "who is here" list; :class:`Lobby` below has one."""

    template = "chat.html"
    presence: ClassVar[Presence | None] = None

    def mount(self, params, session):
        # From the link, so no form to show an error in: cut to the limit.
        self.name = params.get("name", "").strip()[:MAX_NAME].strip() or ANONYMOUS
        self.stream("messages", [])
        self.error = None
        self._keys = itertools.count(1)
        self.subscribe(TOPIC)
        self.here = None
        self.here_count = 0
        if self.presence is not None:
            if self.connected:  # the live mount: the dead render is no one's tab
                self.presence.track(self, TOPIC, self.name)
            self.here_count, self.here = who_is_here(self.presence)

    @event
    def post(self, text: str, name: str = ""):
        text, name = text.strip(), name.strip()
        self.error = validate(name, text)
        if self.error is None and text:
            self.broadcast(TOPIC, {"name": name or self.name, "text": text})

    def handle_info(self, message):
        if self.presence is not None and PresenceDiff.parse(message) is not None:
            # Someone joined or left: read the room again (a diff lost to a
            # full mailbox is made up for by the next one). A node sends a
            # room's changes at most once a second (Presence's diff_interval).
            self.here_count, self.here = who_is_here(self.presence)
            return
        # Ids are this tab's own: unique in its list, however posts interleave.
        self.stream_insert("messages", {**message, "id": next(self._keys)}, limit=-KEEP)


class Lobby(ChatView):
    """The app's page: the room, with who is here."""

    presence = Presence()
    """This process's presence node, run in the app's tree."""


app = App({"/": Lobby}, title="roost chat", children=[Lobby.presence.child_spec()])
