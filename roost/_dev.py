# Dev mode, on or off: from `App(debug=...)`, else from the ROOST_ENV variable
# (which `roost run --reload` sets for the server it runs).
"""Whether roost runs in dev mode."""

from __future__ import annotations

import os

__all__ = ["DEV_ENV", "DEV_STYLESHEET", "DEV_VALUES", "dev_mode"]

DEV_ENV = "ROOST_ENV"
"""The environment variable that turns dev mode on: ``ROOST_ENV=dev``."""

DEV_VALUES = frozenset({"dev", "development"})
"""The values of ``ROOST_ENV`` that mean dev mode (any case); any other means production."""

DEV_STYLESHEET = "roost-dev-stylesheet"
"""The event (``roost:roost-dev-stylesheet`` on ``window``) that tells a dev mode
page a stylesheet of the static folder changed, with ``{"path", "url"}``: the
file's URL path and its new digested URL (the root layout's ``roost_head``
listens for it in dev mode)."""


def dev_mode(debug: bool | None = None) -> bool:
    """Whether dev mode is on: ``debug`` when it is a bool (``True`` forces dev
    mode, ``False`` forbids it), else whether ``ROOST_ENV`` is ``dev``.

    In dev mode templates are re-read when their file changes (open pages
    render again), and a page that fails shows its exception; in production
    the error page is generic and the detail goes only to the log
    (docs/guide.md, "Dev mode").
    """
    if debug is not None:
        return debug
    return os.environ.get(DEV_ENV, "").strip().lower() in DEV_VALUES
