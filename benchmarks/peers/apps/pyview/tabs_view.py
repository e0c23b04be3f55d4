from dataclasses import dataclass, field

from pyview import LiveView, LiveViewSocket

TABS = ["Profile", "Settings", "Billing"]
PANELS = {
    "Profile": ["Name: Ada Lovelace", "Email: ada@example.com", "Joined: 1843"],
    "Settings": ["Theme: dark", "Language: English", "Notifications: on"],
    "Billing": ["Plan: free", "Card: none", "Invoices: 0"],
}


@dataclass
class TabsContext:
    tabs: list[str] = field(default_factory=lambda: list(TABS))
    active: str = TABS[0]
    lines: list[str] = field(default_factory=lambda: list(PANELS[TABS[0]]))


class TabsLiveView(LiveView[TabsContext]):
    async def mount(self, socket: LiveViewSocket[TabsContext], session):
        socket.context = TabsContext()

    async def handle_event(self, event, payload, socket: LiveViewSocket[TabsContext]):
        if event == "select":
            tab = payload.get("tab")
            if tab in TABS and tab != socket.context.active:
                socket.context.active = tab
                socket.context.lines = list(PANELS[tab])
