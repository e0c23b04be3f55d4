"""A site with a root layout and a static folder: a stylesheet, a favicon, an
image, a page title per view and one that changes live."""

from roost import App, LiveView, event


class Inbox(LiveView):
    """Its page_title follows the unread count."""

    template = "inbox.html"

    def mount(self, params, session):
        self.unread = 0
        self.page_title = "Inbox"

    @event
    def receive(self):
        self.unread += 1
        self.page_title = f"Inbox ({self.unread})"


class About(LiveView):
    """A fixed title, as a class attribute."""

    page_title = "About us"

    def render(self) -> str:
        return "<h1>About</h1>"


class Plain(LiveView):
    """No page_title: the app's title."""

    def render(self) -> str:
        return "<h1>Plain</h1>"


app = App(
    {"/": Inbox, "/about": About, "/plain": Plain},
    title="Site",
    layout="layout.html",
    static_dir="static",
    secret="site-secret",
)
