"""The browser client stays small: under 2,000 lines in all.

Counted as ``wc -l roost/client/*.js`` counts: every module the browser loads,
the generated ``protocol.js`` included, comments and blank lines too.
"""

from __future__ import annotations

from pathlib import Path

from roost import protocol

CLIENT_DIR = Path(protocol.__file__).parent / "client"
LIMIT = 2000


def test_the_browser_client_is_under_2000_lines_in_all():
    lines = {path.name: path.read_text().count("\n") for path in CLIENT_DIR.glob("*.js")}
    assert {"roost.js", "protocol.js", "bindings.js"} <= lines.keys()
    total = sum(lines.values())
    biggest = sorted(lines.items(), key=lambda item: -item[1])[:3]
    assert total < LIMIT, f"the client has {total} lines (the largest: {biggest})"
