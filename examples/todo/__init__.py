"""A keyed todo list (add, remove, reorder) and a form with validation.

A title has a minimum and a maximum length and the list a maximum size, so
what a client can make the server hold (and send back) is bounded.

Run it with ``roost run examples.todo:app``.
"""

import itertools

from roost import App, LiveView, event

MIN_LENGTH = 3
MAX_LENGTH = 100
"""The longest title, in characters (the input's ``maxlength`` too)."""
MAX_TODOS = 100
FULL = f"The list is full ({MAX_TODOS} todos): remove one first."


def validate(title: str) -> str | None:
    title = title.strip()
    if len(title) < MIN_LENGTH:
        return f"A todo needs at least {MIN_LENGTH} characters."
    if len(title) > MAX_LENGTH:
        return f"A todo can have at most {MAX_LENGTH} characters."
    return None


class TodoView(LiveView):
    template = "todo.html"

    def mount(self, params, session):
        self._ids = itertools.count(1)
        self.todos = [{"id": next(self._ids), "title": t} for t in ("Write roost", "Test it")]
        self.error = None

    @event
    def check(self, title: str = ""):
        self.error = validate(title) if title else None

    @event
    def add(self, title: str = ""):
        self.error = validate(title)
        if self.error is None and len(self.todos) >= MAX_TODOS:
            self.error = FULL
        if self.error is None:
            self.todos = [*self.todos, {"id": next(self._ids), "title": title.strip()}]

    @event
    def remove(self, id: int):
        self.todos = [t for t in self.todos if t["id"] != id]
        if self.error == FULL and len(self.todos) < MAX_TODOS:
            self.error = None

    @event
    def up(self, id: int):
        todos = list(self.todos)
        i = next((i for i, t in enumerate(todos) if t["id"] == id), None)
        if i:
            todos[i - 1], todos[i] = todos[i], todos[i - 1]
            self.todos = todos


app = App({"/": TodoView}, title="roost todo")
