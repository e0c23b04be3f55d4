"""What every actor's state class promises when it is defined."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from roost import App, LiveView

class Hello(LiveView):
    def render(self):
        return "<p>hello</p>"

App({"/": Hello})
print("defined")
"""


def test_a_view_can_be_defined_where_python_has_no_source_file():
    # `python -c` (and a REPL): no file to look its template up next to.
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "defined", done.stderr
