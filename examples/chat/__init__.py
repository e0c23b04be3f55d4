"""A chat room over pubsub: every tab subscribes to one topic, a message
posted in one reaches all of them.

Run it with ``roost run examples.chat:app``.
"""

from roost import App, LiveView, event

TOPIC = "chat:lobby"
KEEP = 50


class ChatView(LiveView):
    template = "chat.html"

    def mount(self, params, session):
        self.name = params.get("name", "anonymous")
        self.messages = []
        self.subscribe(TOPIC)

    @event
    def post(self, text: str, name: str = ""):
        text = text.strip()
        if text:
            self.broadcast(TOPIC, {"name": name.strip() or self.name, "text": text[:500]})

    def handle_info(self, message):
        self.messages = [*self.messages[-(KEEP - 1) :], message]


app = App({"/": ChatView}, title="roost chat")
