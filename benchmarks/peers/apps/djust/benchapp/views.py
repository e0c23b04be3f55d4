from djust import LiveComponent, LiveView
from djust.decorators import event_handler

ROWS = 1000
TABS = ["Profile", "Settings", "Billing"]
PANELS = {
    "Profile": ["Name: Ada Lovelace", "Email: ada@example.com", "Joined: 1843"],
    "Settings": ["Theme: dark", "Language: English", "Notifications: on"],
    "Billing": ["Plan: free", "Card: none", "Invoices: 0"],
}


class CounterView(LiveView):
    template_name = "benchapp/counter.html"

    def mount(self, request, **kwargs):
        self.count = 0

    @event_handler()
    def inc(self, **kwargs):
        self.count += 1


class TabBar(LiveComponent):
    """The tab bar: its own state and handler; tells the view by send_parent."""

    template_name = "benchapp/tabbar.html"

    def mount(self, **kwargs):
        self.tabs = kwargs.get("tabs", TABS)
        self.active = kwargs.get("active", self.tabs[0])

    def get_context_data(self):
        return {"tabs": self.tabs, "active": self.active}

    @event_handler()
    def select(self, tab: str = "", **kwargs):
        if tab in self.tabs and tab != self.active:
            self.active = tab
            self.trigger_update()
            self.send_parent("tab_changed", {"tab": tab})


class TabsView(LiveView):
    template_name = "benchapp/tabs.html"

    def mount(self, request, **kwargs):
        self.tabbar = TabBar(tabs=TABS)
        self.tab = TABS[0]
        self.lines = PANELS[self.tab]

    def handle_component_event(self, component_id, event, data):
        if event == "tab_changed":
            self.tab = data["tab"]
            self.lines = PANELS[self.tab]


class RowsView(LiveView):
    template_name = "benchapp/rows.html"

    def mount(self, request, **kwargs):
        self.hits = 0
        self.rows = [{"id": i, "text": f"row {i}"} for i in range(ROWS)]

    @event_handler()
    def bump(self, **kwargs):
        self.hits += 1
        index = (self.hits - 1) % ROWS
        self.rows[index] = {"id": index, "text": f"row {index} bumped {self.hits}"}
