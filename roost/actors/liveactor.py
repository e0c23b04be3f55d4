# The runtime of a session's LiveView: how a view mounts and terminates; the
# loop itself is ActorRuntime's (loop.py).
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..protocol import VIEW_TARGET
from .handlers import maybe_await
from .liveview import mount_view
from .loop import ActorRuntime

if TYPE_CHECKING:
    from .liveview import LiveView
    from .tab import Tab


class LiveActor(ActorRuntime):
    """Runs a tab's ``LiveView`` (target ``VIEW_TARGET``)."""

    def __init__(
        self,
        tab: Tab,
        view_class: type[LiveView],
        params: dict[str, Any],
        session_data: dict[str, Any],
        url: str = "",
    ) -> None:
        super().__init__(tab, VIEW_TARGET)
        self.view_class = view_class
        self.params = params
        self.session_data = session_data
        self.url = url

    def create(self) -> LiveView:
        return self.view_class()

    async def mount(self, state: LiveView) -> None:
        await mount_view(state, self.params, self.session_data, self.url)

    async def stopped(self, state: LiveView, reason: BaseException | None) -> None:
        await maybe_await(state.terminate(reason))
