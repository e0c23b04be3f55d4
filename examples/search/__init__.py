"""Search: a debounced live search over 1,000 incidents.

Run it with ``roost run examples.search:app`` and open http://127.0.0.1:8000/.

- The box (``<input name="q">`` in a ``roost-change`` form with
  ``roost-debounce="300"``) sends one ``search`` once typing pauses for 300 ms,
  with the whole query: typing "billing" fast is one event, not seven (the page
  counts the searches it sent). The list shows how many incidents match
  (case-insensitive substring) and the first 50 of them.
- While a search is in flight the view's container has the class
  ``roost-loading``, which shows the spinner (``static/search.css``). Searching
  1,000 strings takes no time: open ``/?slow=1`` to have each search wait half a
  second, and watch it.
- "/" anywhere on the page focuses the box, without typing the "/" (the
  ``SearchBox`` hook in ``static/search.js``). Escape in the box empties it in
  the browser at once (a ``JS.dispatch`` the hook answers) and sends ``clear``,
  which shows the whole list again. That key binding is on the form, not on
  the box: a rate attribute paces every binding of its element, so the box's
  ``roost-debounce`` would hold Escape back 300 ms too.
- The ``Highlight`` hook marks each match in the results with the CSS Custom
  Highlight API: it only sets ranges, never changes the server's DOM, so later
  patches still find every node where they left it.
"""

from __future__ import annotations

import anyio

from roost import App, LiveView, event

SERVICES = [
    "Billing",
    "Checkout",
    "Inventory",
    "Login",
    "Payments",
    "Email",
    "Storage",
    "Reports",
    "Mobile app",
    "API gateway",
]
SYMPTOMS = [
    "timeout",
    "slow responses",
    "500 errors",
    "memory leak",
    "disk full",
    "certificate expired",
    "high latency",
    "dropped connections",
    "stale cache",
    "failed deploy",
]
REGIONS = [
    "us-east",
    "us-west",
    "eu-west",
    "eu-central",
    "ap-south",
    "ap-northeast",
    "sa-east",
    "ca-central",
    "af-south",
    "me-central",
]


def _incident(n: int) -> str:
    # 337 is prime to 1000: n -> k walks every combination once, in a mixed order.
    k = n * 337 % 1000
    return f"{SERVICES[k % 10]} {SYMPTOMS[k // 10 % 10]} in {REGIONS[k // 100]}"


INCIDENTS: list[str] = [_incident(n) for n in range(1000)]
"""The 1,000 incident titles searched, all different, the same on every run."""

LIMIT = 50
"""At most this many results are shown; the count says how many match."""

SLOW = 0.5
"""Seconds each search waits with ``?slow=1``, to watch the loading indicator."""


def matching(q: str) -> list[tuple[int, str]]:
    """The incidents (index, title) whose title contains ``q``, ignoring case
    and the spaces around ``q``; all of them for an empty ``q``."""
    needle = q.strip().lower()
    return [(i, title) for i, title in enumerate(INCIDENTS) if needle in title.lower()]


class Search(LiveView):
    template = "search.html"
    page_title = "Incident search"

    def mount(self, params, session):
        self._slow = params.get("slow") == "1"
        self.total = len(INCIDENTS)
        self.limit = LIMIT
        self.searches = 0
        self._show("")

    def _show(self, q: str) -> None:
        found = matching(q)
        self.q = q
        self.needle = q.strip()
        self.found = len(found)
        self.results = found[:LIMIT]

    @event
    async def search(self, q: str):
        """The box changed (debounced) or its form was submitted."""
        self.searches += 1
        if self._slow:
            await anyio.sleep(SLOW)
        self._show(q)

    @event
    def clear(self, key: str):
        """Escape in the box (``key``: the key binding's param)."""
        self._show("")


app = App({"/": Search}, layout="layout.html", static_dir="static", title="Search")
