# The runtime of a session's LiveView: how a view mounts and terminates; the
# loop itself is ActorRuntime's (loop.py).
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .handlers import maybe_await
from .loop import ActorRuntime

if TYPE_CHECKING:
    from .liveview import LiveView
    from .session import Session


class LiveActor(ActorRuntime):
    """Runs a session's ``LiveView`` (target ``"0"``)."""

    def __init__(
        self,
        session: Session,
        target: str,
        view_class: type[LiveView],
        params: dict[str, str],
        session_data: dict[str, Any],
        url: str = "",
    ) -> None:
        super().__init__(session, target)
        self.view_class = view_class
        self.params = params
        self.session_data = session_data
        self.url = url

    def create(self) -> LiveView:
        return self.view_class()

    async def mount(self, state: LiveView) -> None:
        await maybe_await(state.mount(self.params, self.session_data))
        await maybe_await(state.handle_params(self.params, self.url))

    async def stopped(self, state: LiveView, reason: BaseException | None) -> None:
        await maybe_await(state.terminate(reason))
