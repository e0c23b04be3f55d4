from dataclasses import dataclass, field

from pyview import LiveView, LiveViewSocket

ROWS = 1000


@dataclass
class Row:
    id: int
    text: str


@dataclass
class RowsContext:
    hits: int = 0
    rows: list[Row] = field(default_factory=lambda: [Row(i, f"row {i}") for i in range(ROWS)])


class RowsLiveView(LiveView[RowsContext]):
    async def mount(self, socket: LiveViewSocket[RowsContext], session):
        socket.context = RowsContext()

    async def handle_event(self, event, payload, socket: LiveViewSocket[RowsContext]):
        if event == "bump":
            context = socket.context
            context.hits += 1
            index = (context.hits - 1) % ROWS
            context.rows[index].text = f"row {index} bumped {context.hits}"
