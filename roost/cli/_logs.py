# How `roost` logs: one readable line per record, or one JSON object per line
# (`--log-format json`), at the level the command line or the environment says.
from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

LEVEL_ENV = "ROOST_LOG_LEVEL"
"""The log level when ``--log-level`` is not given (debug, info, warning, error)."""
FORMAT_ENV = "ROOST_LOG_FORMAT"
"""The log format when ``--log-format`` is not given (text or json)."""
LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")

# What a record carries beyond the standard fields (supervision events' extra).
_EXTRA = ("event", "supervisor", "child", "path", "reason")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (ISO 8601, UTC), ``level``,
    ``logger``, ``message``, the supervision fields when present (``event``,
    ``path``, ``supervisor``, ``child``, ``reason``) and ``exception`` (the
    formatted traceback) when there is one."""

    converter = time.gmtime  # type: ignore[assignment]  # UTC; typeshed's stub is narrower

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _EXTRA:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure(level: str | None = None, fmt: str | None = None) -> None:
    """Set up the root logger: ``level`` and ``fmt`` as given, else from the
    environment (``ROOST_LOG_LEVEL``, ``ROOST_LOG_FORMAT``), else info and text.
    A bad value in the environment is a ``ValueError`` saying which."""
    level = level or os.environ.get(LEVEL_ENV, "") or "info"
    fmt = fmt or os.environ.get(FORMAT_ENV, "") or "text"
    if level.lower() not in LEVELS:
        raise ValueError(f"{LEVEL_ENV}={level!r}: use one of {', '.join(LEVELS)}")
    if fmt.lower() not in FORMATS:
        raise ValueError(f"{FORMAT_ENV}={fmt!r}: use one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler()
    if fmt.lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper()))
    # hypercorn announces its bind address too; roost prints its own URL line.
    logging.getLogger("hypercorn.error").setLevel(max(logging.WARNING, root.level))
    # coredis logs each connection Redis closes; roost logs an outage once, and its end.
    logging.getLogger("coredis").setLevel(max(logging.WARNING, root.level))
