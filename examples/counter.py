"""The smallest roost app: a count with + and - buttons.

Run it with ``roost run examples.counter:app`` and open http://127.0.0.1:8000/.
``/?start=41`` starts the count at 41. It keeps its count across restarts
(``persist = True``): a crash, or, with ``--store redis://...`` shared by
several workers, the death of the worker that held it.
"""

import re

from roost import App, LiveView, event

START = re.compile(r"[+-]?[0-9]{1,15}")
"""What ``?start=`` may be: ASCII digits, a sign, at most 15 digits.

Anything else (``²``, which ``str.isdigit`` accepts and ``int`` refuses; a
number thousands of digits long, which ``int`` refuses or every patch would
carry) starts the count at 0 rather than failing the page.
"""


def parse_start(value: str) -> int:
    return int(value) if START.fullmatch(value) else 0


class Counter(LiveView):
    template = "counter.html"
    persist = True  # its count survives a crash, and a worker's death with a shared store

    def mount(self, params, session):
        self.count = parse_start(params.get("start", "0"))

    @event
    def inc(self):
        self.count += 1

    @event
    def dec(self):
        self.count -= 1


app = App({"/": Counter}, title="roost counter")
