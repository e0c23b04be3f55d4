"""A streamed log: items rendered once and sent, then dropped from the server."""

from roost import App, LiveComponent, LiveView, event


class Notes(LiveComponent):
    template = "notes.html"

    def mount(self, **props):
        self.stream("notes", [{"id": 1, "text": "first note"}])

    @event
    def note(self, text: str):
        self.stream_insert("notes", {"id": hash(text) % 10_000, "text": text})


class Log(LiveView):
    template = "log.html"

    def mount(self, params, session):
        self.count = 3
        self.stream("messages", [{"id": i, "text": f"m{i}"} for i in range(3)])
        self.notes = Notes()

    @event
    def add(self, text: str):
        self.count += 1
        self.stream_insert("messages", {"id": 100 + self.count, "text": text})

    @event
    def add_front(self, text: str):
        self.count += 1
        self.stream_insert("messages", {"id": 100 + self.count, "text": text}, at=0)

    @event
    def edit(self, id: int, text: str):
        self.stream_insert("messages", {"id": id, "text": text})

    @event
    def drop(self, id: int):
        self.stream_delete("messages", {"id": id})

    @event
    def bounded(self, text: str):
        self.count += 1
        self.stream_insert("messages", {"id": 100 + self.count, "text": text}, limit=-3)

    @event
    def restart(self):
        self.stream("messages", [{"id": 999, "text": "fresh"}], reset=True)

    def handle_info(self, message):
        self.stream_insert("messages", message)  # an object with an id and a text

    @event
    def many(self, n: int):
        start = self.count
        self.count += n
        self.stream("messages", ({"id": 100 + start + i, "text": f"x{i}"} for i in range(n)))


app = App({"/": Log})
