# The dead render: a view mounted and rendered once, in the HTTP request, with
# no actor behind it; its components are mounted and rendered in place.
from __future__ import annotations

from typing import Any

from .liveview import LiveView, mount_view
from .scope import RenderScope, rendering


async def dead_render(
    view_class: type[LiveView], params: dict[str, Any], url: str, session: dict[str, Any]
) -> str:
    """The HTML content of ``view_class`` at ``url``, as the page first shows it.

    ``mount`` and ``handle_params`` get exactly what the connected view's
    will get (``mount_view``); the services that need an actor (timers,
    pubsub, effects) do nothing here. Raises whatever the view raised.
    """
    view = view_class()
    await mount_view(view, params, session, url)
    with rendering(RenderScope(dead=True)):
        return str(view.render())
