# The dead render: a view mounted and rendered once, in the HTTP request, with
# no actor behind it; its components are mounted and rendered in place.
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .liveview import LiveView, mount_view
from .scope import RenderScope, rendering


@dataclass(frozen=True)
class DeadPage:
    """A view mounted once for the HTTP request, and what it shows."""

    view: LiveView
    html: str
    """Its content ("" when it redirected)."""
    redirect: str | None = None
    """Where an ``on_mount`` hook or ``mount`` sent the browser instead, if one did."""


async def dead_page(
    view_class: type[LiveView],
    params: dict[str, Any],
    url: str,
    session: dict[str, Any],
    flash: dict[str, str] | None = None,
) -> DeadPage:
    """Mount ``view_class`` as :func:`dead_render` does (with the ``flash`` the page
    before put); the view, its content, or the redirect its hooks or ``mount``
    asked for (then nothing is rendered)."""
    view = view_class()
    await mount_view(view, params, session, url, flash)
    if view.redirected_to is not None:
        return DeadPage(view, "", view.redirected_to)
    with rendering(RenderScope(dead=True)):
        return DeadPage(view, str(view.render()))


async def dead_render(
    view_class: type[LiveView], params: dict[str, Any], url: str, session: dict[str, Any]
) -> str:
    """The HTML content of ``view_class`` at ``url``, as the page first shows it.

    ``mount`` and ``handle_params`` get exactly what the connected view's
    will get (``mount_view``); the services that need an actor (timers,
    pubsub, effects) do nothing here. Raises whatever the view raised.
    """
    return (await dead_page(view_class, params, url, session)).html
