from __future__ import annotations

from roost.actors import Session
from roost.testing import LiveClient


def session_of(view: LiveClient) -> Session:
    """The in-process session behind a mounted LiveClient."""
    session = view._link.session
    assert session is not None
    return session
