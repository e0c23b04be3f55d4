# What goes into roost's logs from a client: never a forged line, never a flood.
from __future__ import annotations

from typing import Any

MAX_LOGGED = 200
"""Characters of one client-supplied value that a log line shows."""


def clip(value: Any, limit: int = MAX_LOGGED) -> str:
    """``value`` as text safe for one log line: control characters escaped (a newline
    cannot start a forged line), cut to ``limit`` characters with the length said."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text)} characters)"
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
