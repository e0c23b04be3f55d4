# Links an app writes as its own root-relative paths, put below the point where
# a host app mounted it: the same templates work at "/" and under "/live".
"""``below_mount``: an app's root-relative URLs in rendered HTML, under its mount point."""

from __future__ import annotations

import re

__all__ = ["below_mount"]

_URL_ATTRIBUTE = re.compile(r"""(\s(?:href|src|action|formaction)=)(["'])/(?!/)""", re.IGNORECASE)


def below_mount(html: str, root: str) -> str:
    """``html`` with each ``href``, ``src``, ``action`` and ``formaction`` that holds
    a root-relative path (``"/notes/3"``) put below ``root`` (``"/live/notes/3"``).

    URLs, scheme-relative ones (``//host``), relative paths and paths already
    below ``root`` (a ``static_url``) are left as they are; so is text (which
    autoescaping keeps from looking like an attribute). ``root`` ``""``: unchanged.
    """
    if not root:
        return html
    prefix = root.rstrip("/")

    def put_below(found: re.Match[str]) -> str:
        rest = html[found.end() - 1 : found.end() - 1 + len(prefix) + 1]
        if rest == prefix + "/" or rest == prefix + found[2]:
            return found[0]  # already below the mount point
        return f"{found[1]}{found[2]}{prefix}/"

    return _URL_ATTRIBUTE.sub(put_below, html)
