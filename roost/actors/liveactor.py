# The runtime of a session's LiveView: how a view mounts and terminates; the
# loop itself is ActorRuntime's (loop.py).
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .. import protocol, telemetry
from ..protocol import VIEW_TARGET
from .handlers import maybe_await
from .liveview import mount_view
from .loop import ActorRuntime
from .messages import Visited

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
        self.flash: dict[str, str] = {}
        """The flash messages this view starts with (carried by ``push_navigate``)."""
        self.carried: dict[str, str] = {}
        """The flash messages it hands the view it navigated to."""
        self.next_view: tuple[type[LiveView], dict[str, Any], str, int] | None = None
        """Where the view navigated (``push_navigate``): the view, params and URL to
        mount in the tab once this one has stopped, and the ref of the ``Visit``
        that its first render answers (0: none)."""
        self.answers = 0
        """The ref of the ``Visit`` this view's first render answers (0: none)."""

    def create(self) -> LiveView:
        return self.view_class()

    async def mount(self, state: LiveView) -> None:
        # The carried flash is for the first incarnation only: a restart does not
        # show again what the user may have read and left behind.
        flash, self.flash = self.flash, {}
        await mount_view(state, self.params, self.session_data, self.url, flash)

    async def stopping(self) -> None:
        # Its components first (OTP stops children before their parent ends).
        await self.tab.stop_components()

    async def stopped(self, state: LiveView, reason: BaseException | None) -> None:
        await maybe_await(state.terminate(reason))

    # -- navigation ------------------------------------------------------------

    async def go(self, to: str, replace: bool, *, patch: bool) -> None:
        resolve = self.tab.resolve
        where = resolve(to, self.url) if resolve is not None else None
        if where is None:  # another site, or no view routed there: a page load
            await self.redirect(to)
            return
        await self.tab.outbox.put(protocol.Url(self.tab.href(to), replace))
        await self._arrive(*where, remount=not patch)

    async def visited(self, state: LiveView, message: Visited) -> bool:
        # The user's own navigation: what the flash said was for the page it left.
        state.clear_flash()
        return await self._arrive(
            message.view, message.params, message.url, remount=False, ref=message.ref, carry=False
        )

    async def redirect(self, to: str) -> None:
        """A page load of ``to``, with the flash to show there (signed for the cookie)."""
        flash: dict[str, str] = getattr(self.state, "flash", None) or {}
        sign = self.tab.sign_flash
        token = sign(flash) if flash and sign is not None else ""
        await self.tab.outbox.put(protocol.Navigate(self.tab.href(to), token))

    async def first_rendered(self) -> None:
        if self.answers:
            await self.tab.outbox.put(protocol.Ack(self.answers))
            self.answers = 0

    async def _arrive(
        self,
        view: type[LiveView],
        params: dict[str, Any],
        url: str,
        *,
        remount: bool,
        ref: int = 0,
        carry: bool = True,
    ) -> bool:
        # The page's URL is `url` now: this view takes its params, or makes
        # way for the view routed there. Kept for a restart: the page and the
        # URL agree after a crash too.
        if view is self.view_class and not remount and self.state is not None:
            self.params, self.url = params, url
            began = time.perf_counter() if telemetry.active() else None
            await maybe_await(self.state.handle_params(params, url))  # type: ignore[attr-defined]
            if began is not None:
                self._measured("handle_params", began)
            return True
        self.next_view = (view, params, url, ref)
        self.carried = dict(getattr(self.state, "flash", None) or {}) if carry else {}
        self.leaving = True
        return False  # answered by the next view's first render
