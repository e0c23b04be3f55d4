"""roost's side of the peer benchmark: the three scenarios as one roost App.

    cd benchmarks/peers/apps/roost && roost run scenarios:app --port 8000

/counter  a count and a + button
/tabs     the seed's dashboard: a tab bar that is a LiveComponent (its own
          actor); a click selects a tab, the component tells the view by
          send_parent and the view switches the content below it
/rows     1,000 rows; each click on "bump" changes the text of one row

run.py drives these pages in Chromium; tests/benchmarks/test_peers_apps.py
checks them with LiveClient so they cannot rot.
"""

from roost import App, LiveComponent, LiveView, event, on_component

ROWS = 1000
TABS = ["Profile", "Settings", "Billing"]
PANELS = {
    "Profile": ["Name: Ada Lovelace", "Email: ada@example.com", "Joined: 1843"],
    "Settings": ["Theme: dark", "Language: English", "Notifications: on"],
    "Billing": ["Plan: free", "Card: none", "Invoices: 0"],
}


def bumped(hits: int) -> tuple[int, str]:
    """Which row the hits-th click changes, and the text it gets."""
    index = (hits - 1) % ROWS
    return index, f"row {index} bumped {hits}"


class Counter(LiveView):
    template = "counter.html"

    def mount(self, params, session):
        self.count = 0

    @event
    def inc(self):
        self.count += 1


class Tabs(LiveComponent):
    template = "tabs.html"

    def mount(self, tabs, active=None):
        self.tabs = tabs
        self.active = active or tabs[0]

    @event
    def select(self, tab: str):
        if tab in self.tabs and tab != self.active:
            self.active = tab
            self.send_parent("tab_changed", {"tab": tab})


class Dashboard(LiveView):
    template = "tabs_page.html"

    def mount(self, params, session):
        self.tabs = Tabs(tabs=TABS)
        self.tab = TABS[0]
        self.panels = PANELS

    @on_component("tab_changed")
    def tab_changed(self, component_id, data):
        self.tab = data["tab"]


class Rows(LiveView):
    template = "rows.html"

    def mount(self, params, session):
        self.hits = 0
        self.rows = [f"row {i}" for i in range(ROWS)]

    @event
    def bump(self):
        self.hits += 1
        index, text = bumped(self.hits)
        self.rows[index] = text


app = App({"/counter": Counter, "/tabs": Dashboard, "/rows": Rows}, title="roost peers benchmark")
