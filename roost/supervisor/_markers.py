# The two markers a supervisor and its children exchange: IGNORE, returned by a
# start function with nothing to run, and RESTARTING, shown by which_children.
from __future__ import annotations

from typing import Final, final


@final
class _Marker:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"roost.supervisor.{self._name}"

    def __reduce__(self) -> str:
        return self._name


IGNORE: Final = _Marker("IGNORE")
"""What a start function returns, without calling ``task_status.started()``,
when it has nothing to run (OTP's ``ignore``).

A static child keeps its spec and is not running (``which_children`` shows
``None``); a dynamic child, or a temporary one, is not kept. ``start_child`` and
``restart_child`` return ``IGNORE``; a restart that ends so counts as done.
"""

RESTARTING: Final = _Marker("RESTARTING")
"""The value ``which_children`` shows for a child whose restart is under way or
failed and is to be tried again (OTP's ``restarting``)."""
