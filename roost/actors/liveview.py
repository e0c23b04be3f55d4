# What a user subclasses to write a LiveView: the page-level actor of one
# browser tab. The actor that runs it (liveactor.py) never sees a socket.
from __future__ import annotations

from typing import Any

from .handlers import maybe_await
from .stateful import Stateful


class LiveView(Stateful):
    """A stateful view that lives in its own actor, one per browser tab.

    Override what you need: ``mount`` (the initial assigns), ``handle_params``,
    ``@event`` handlers, ``handle_info``, ``handle_component_event`` (or
    ``@on_component`` handlers), ``render`` (instead of ``template``),
    ``terminate``. Handlers may be plain functions or ``async def``.
    """

    def mount(self, params: dict[str, Any], session: dict[str, Any]) -> Any:
        """Set the initial assigns. ``params`` are the URL's query parameters (a
        repeated key's values as a list) and the route's path parameters, typed
        (``/incidents/{id:int}`` gives an ``int``), which win over a query key of
        the same name."""

    def handle_params(self, params: dict[str, Any], url: str) -> Any:
        """Called after ``mount`` with the URL's query parameters and the URL."""

    def terminate(self, reason: BaseException | None) -> Any:
        """Called when the view stops: ``reason`` is None for a normal stop."""


async def mount_view(
    view: LiveView, params: dict[str, Any], session: dict[str, Any], url: str
) -> None:
    """``mount`` then ``handle_params``: the same for the dead render and the live actor."""
    await maybe_await(view.mount(params, session))
    await maybe_await(view.handle_params(params, url))
