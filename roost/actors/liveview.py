# What a user subclasses to write a LiveView: the page-level actor of one
# browser tab. The actor that runs it (liveactor.py) never sees a socket.
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from .effects import PushNavigate, PushPatch, Redirect
from .handlers import maybe_await
from .stateful import Stateful


class LiveView(Stateful):
    """A stateful view that lives in its own actor, one per browser tab.

    Override what you need: ``mount`` (the initial assigns), ``handle_params``,
    ``@event`` handlers, ``handle_info``, ``handle_component_event`` (or
    ``@on_component`` handlers), ``render`` (instead of ``template``),
    ``terminate``. Handlers may be plain functions or ``async def``.
    """

    flash: dict[str, str]
    """The flash messages to show (``put_flash``), by kind."""

    on_mount: ClassVar[Sequence[Callable[..., Any]]] = ()
    """Hooks run before ``mount``, on the dead render and on the connected mount
    alike: ``hook(view, params, session)``, plain or ``async``. A hook may set
    assigns (the current user) or call ``view.redirect(to)``: then neither the
    hooks after it nor ``mount`` run, and the page goes to ``to`` (an HTTP
    redirect for the dead render, a page load once connected). Declare them once
    on a base class for a group of views (``class Authenticated(LiveView):
    on_mount = (require_user,)``)."""

    def mount(self, params: dict[str, Any], session: dict[str, Any]) -> Any:
        """Set the initial assigns. ``params`` are the URL's query parameters (a
        repeated key's values as a list) and the route's path parameters, typed
        (``/incidents/{id:int}`` gives an ``int``), which win over a query key of
        the same name."""

    def handle_params(self, params: dict[str, Any], url: str) -> Any:
        """Called after ``mount`` with the params ``mount`` got and the page's URL, and
        again each time the URL changes while this view stays (``push_patch``, a
        ``roost-link="patch"``, back and forward): then with the new URL's params."""

    def terminate(self, reason: BaseException | None) -> Any:
        """Called when the view stops: ``reason`` is None for a normal stop."""

    # -- navigation: done once the handler has returned ---------------------------

    def push_patch(self, to: str, *, replace: bool = False) -> None:
        """Go to ``to`` (a path, with its query) on this view: the browser's URL
        changes (a new history entry; ``replace``: in place of the current one),
        ``handle_params`` runs with its params, no re-mount. A ``to`` routed to
        another view navigates as ``push_navigate`` does."""
        self._effect(PushPatch(to, replace))

    def push_navigate(self, to: str, *, replace: bool = False) -> None:
        """Go to ``to`` without a page load: this view stops (``terminate``) and the
        view routed at ``to`` is mounted in the tab, over the same socket. A ``to``
        no view is routed at is loaded as a page (``redirect``)."""
        self._effect(PushNavigate(to, replace))

    def redirect(self, to: str) -> None:
        """Load ``to`` in the browser: a full page load, to this app or any other site.

        In an ``on_mount`` hook or ``mount`` it stops the mount there: the dead
        render answers with an HTTP redirect to ``to``, a connected view sends
        the browser there and ends."""
        object.__setattr__(self, "_redirected_to", to)
        self._effect(Redirect(to))

    def put_flash(self, kind: str, text: str) -> None:
        """Show ``text`` as a ``kind`` flash message (``"info"``, ``"error"`` ...): the
        ``flash`` assign, a dict a template shows (``{% for kind, text in
        flash.items() %}``). It goes along with ``push_navigate`` and ``redirect``
        to the next page, shown there once; a user's own navigation (a link,
        back or forward) leaves it behind."""
        self.flash = {**self.flash, kind: text}

    def clear_flash(self, kind: str | None = None) -> None:
        """Remove the ``kind`` flash message, or all of them."""
        self.flash = {} if kind is None else {k: v for k, v in self.flash.items() if k != kind}

    @property
    def redirected_to(self) -> str | None:
        """Where ``redirect`` sent the browser, if it did."""
        to: str | None = self.__dict__.get("_redirected_to")
        return to


async def mount_view(
    view: LiveView,
    params: dict[str, Any],
    session: dict[str, Any],
    url: str,
    flash: dict[str, str] | None = None,
) -> None:
    """The ``on_mount`` hooks, ``mount`` then ``handle_params``: the same for the dead
    render and the live actor, ``flash`` (what the page before put) in place
    first. Stops where one of them redirects."""
    view.flash = dict(flash or {})
    for hook in type(view).on_mount:
        await maybe_await(hook(view, params, session))
        if view.redirected_to is not None:
            return
    await maybe_await(view.mount(params, session))
    if view.redirected_to is not None:
        return
    await maybe_await(view.handle_params(params, url))
