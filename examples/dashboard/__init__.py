"""The seed's dashboard: a counter, a badge, tabs and pagination, each tab
and pagination in its own actor, talking to the view by ``send_parent``.

Run it with ``roost run examples.dashboard:app``.
"""

from roost import App, Component, LiveComponent, LiveView, event, on_component

PAGES = 5
PER_PAGE = 3


def items_on(page):
    first = (page - 1) * PER_PAGE + 1
    return list(range(first, first + PER_PAGE))


class Badge(Component):
    """A stateless badge: rendered inline into the dashboard's HTML."""

    template = "badge.html"


class TabsComponent(LiveComponent):
    template = "tabs.html"

    def mount(self, tabs, active=None):
        self.tabs = tabs
        self.active = active or tabs[0]

    @event
    def select(self, tab: str):
        if tab in self.tabs and tab != self.active:
            self.active = tab
            self.send_parent("tab_changed", {"tab": tab})


class PaginationComponent(LiveComponent):
    template = "pagination.html"

    def mount(self, page=1, pages=1):
        self.page = page
        self.pages = pages

    @event
    def prev(self):
        self._go(self.page - 1)

    @event
    def next(self):
        self._go(self.page + 1)

    def _go(self, page):
        if 1 <= page <= self.pages:
            self.page = page
            self.send_parent("page_changed", {"page": page})


class DashboardView(LiveView):
    template = "dashboard.html"

    def mount(self, params, session):
        self.count = 0
        self.badge = Badge(count=0)
        self.tabs = TabsComponent(tabs=["Profile", "Settings"])
        self.page = 1
        self.items = items_on(1)
        self.pages = PaginationComponent(page=1, pages=PAGES)
        # Private: the view remembers the tab without re-rendering for it.
        self._tab = "Profile"

    @event
    def inc(self):
        self.count += 1
        self.badge = Badge(count=self.count)

    @on_component("tab_changed")
    def tab_changed(self, component_id, data):
        self._tab = data["tab"]

    @on_component("page_changed")
    def page_changed(self, component_id, data):
        self.page = data["page"]
        self.items = items_on(self.page)


app = App({"/": DashboardView}, title="roost dashboard")
