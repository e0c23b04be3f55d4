# What a user subclasses to write a LiveView: the page-level actor of one
# browser tab. The actor that runs it (liveactor.py) never sees a socket.
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..render.environment import CLEAR_FLASH, flash_group, names_flash
from .effects import PushNavigate, PushPatch, Redirect
from .handlers import event, maybe_await
from .stateful import Stateful

if TYPE_CHECKING:
    import jinja2


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
        """Show ``text`` as a ``kind`` flash message (``"info"``, ``"error"`` ...), at
        once: the ``flash`` assign, a dict by kind. A template that does not name
        ``flash`` gets it shown at the top of the view's content (``flash_group``);
        one that does shows it where it likes (``{{ flash_group(flash) }}``). It
        goes along with ``push_navigate`` and ``redirect`` to the next page, shown
        there once; a user's own navigation (a link, back or forward) leaves it
        behind, and a click on the message dismisses it."""
        self.flash = {**self.flash, kind: text}

    def clear_flash(self, kind: str | None = None) -> None:
        """Remove the ``kind`` flash message, or all of them."""
        self.flash = {} if kind is None else {k: v for k, v in self.flash.items() if k != kind}

    @event(name=CLEAR_FLASH)  # type: ignore[untyped-decorator]  # event() returns Any
    def _flash_clicked(self, kind: str | None = None) -> None:
        # A click on a message of flash_group's: what Phoenix's lv:clear-flash does.
        self.clear_flash(kind)

    def _after_template(self, env: jinja2.Environment, html: str) -> str:
        # The flash of a template that does not show it goes first in the view's
        # container: the part of the page the view patches, so it shows at once.
        flash = self.__dict__.get("flash")
        if not flash or self.template is None or names_flash(env, self.template):
            return html
        return str(flash_group(flash)) + html

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
