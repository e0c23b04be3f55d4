from typing import TypedDict

from pyview import LiveView, LiveViewSocket


class CountContext(TypedDict):
    count: int


class CounterLiveView(LiveView[CountContext]):
    async def mount(self, socket: LiveViewSocket[CountContext], session):
        socket.context = CountContext(count=0)

    async def handle_event(self, event, payload, socket: LiveViewSocket[CountContext]):
        if event == "inc":
            socket.context["count"] += 1
