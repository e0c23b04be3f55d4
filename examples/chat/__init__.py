"""A chat room over pubsub: every tab subscribes to one topic, a message
posted in one reaches all of them.

Every post goes to every tab, so what one client sends is bounded: a name and
a message have a maximum length (a longer post is refused with an error in the
page, as a Phoenix changeset would refuse it). The history is a stream
(docs/guide.md, "Streams"): each message is rendered once, sent to the tab as
one insert, and forgotten by the server, which holds no history at all; the
browser keeps the last ``KEEP`` (the stream's limit).

Run it with ``roost run examples.chat:app``.
"""

import itertools

from roost import App, LiveView, event

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


class ChatView(LiveView):
    template = "chat.html"

    def mount(self, params, session):
        # From the link, so no form to show an error in: cut to the limit.
        self.name = params.get("name", "").strip()[:MAX_NAME].strip() or ANONYMOUS
        self.stream("messages", [])
        self.error = None
        self._keys = itertools.count(1)
        self.subscribe(TOPIC)

    @event
    def post(self, text: str, name: str = ""):
        text, name = text.strip(), name.strip()
        self.error = validate(name, text)
        if self.error is None and text:
            self.broadcast(TOPIC, {"name": name or self.name, "text": text})

    def handle_info(self, message):
        # Ids are this tab's own: unique in its list, however posts interleave.
        self.stream_insert("messages", {**message, "id": next(self._keys)}, limit=-KEEP)


app = App({"/": ChatView}, title="roost chat")
