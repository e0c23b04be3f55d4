# What a user subclasses to write a LiveView: state as attributes, a template
# next to the module, declared event handlers. The actor that runs it is in
# live.py; a LiveView never sees a socket.
from __future__ import annotations

import inspect
import os
from typing import TYPE_CHECKING, Any, ClassVar

from ..render import environment_for
from .assigns import _MISSING, ChangeTracker
from .handlers import Handler, collect_handlers

if TYPE_CHECKING:
    from .live import LiveActor


class LiveView:
    """A stateful view that lives in its own actor, one per browser tab.

    Public attributes are its *assigns*: they are what the template sees, and
    assigning a different value marks the view for a re-render (at most one
    render per batch of handled messages; no change, no render). Attributes
    whose names start with ``_`` are private state and never trigger one.

    Override what you need: ``mount`` (required state), ``handle_info``
    (messages from timers, pubsub and other actors), ``render`` (instead of
    ``template``), ``terminate``. Mark event handlers with ``@event``.
    """

    template: ClassVar[str | None] = None
    """File name of the Jinja2 template, looked up next to the class's module."""

    mailbox_size: ClassVar[int] = 256
    """How many messages may wait; client events beyond it get ``overloaded``."""

    __roost_handlers__: ClassVar[dict[str, Handler]] = {}
    __roost_template_dir__: ClassVar[str] = "."

    _tracker: ChangeTracker
    _actor: LiveActor | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__roost_handlers__ = collect_handlers(cls)
        try:
            cls.__roost_template_dir__ = os.path.dirname(inspect.getfile(cls))
        except TypeError:  # defined in a REPL
            cls.__roost_template_dir__ = os.getcwd()

    def __init__(self) -> None:
        object.__setattr__(self, "_tracker", ChangeTracker())
        object.__setattr__(self, "_actor", None)

    def __setattr__(self, name: str, value: Any) -> None:
        if name[0] != "_":
            self._tracker.assigned(name, self.__dict__.get(name, _MISSING), value)
        object.__setattr__(self, name, value)

    @property
    def assigns(self) -> dict[str, Any]:
        """The public attributes, as the template sees them."""
        return {k: v for k, v in self.__dict__.items() if k[0] != "_"}

    # -- callbacks ---------------------------------------------------------

    def mount(self, params: dict[str, str], session: dict[str, Any]) -> Any:
        """Set the initial assigns. ``params`` are the URL's query parameters."""

    def handle_info(self, message: Any) -> Any:
        """Handle a message that is not a client event (timers, pubsub, actors)."""

    def handle_call(self, request: Any) -> Any:
        """Answer a ``call`` from another actor; the return value is the reply."""
        raise NotImplementedError(f"{type(self).__name__} does not answer calls")

    def render(self) -> str:
        """The view's HTML content; by default its ``template`` rendered with its assigns."""
        if self.template is None:
            raise NotImplementedError(f"{type(self).__name__} needs a template or a render()")
        env = environment_for(self.__roost_template_dir__)
        return env.get_template(self.template).render(self.assigns)

    def terminate(self, reason: BaseException | None) -> Any:
        """Called when the view stops: ``reason`` is None for a normal stop."""

    # -- runtime services --------------------------------------------------

    def send_after(self, delay: float, message: Any) -> None:
        """Deliver ``message`` to ``handle_info`` after ``delay`` seconds."""
        self._runtime().send_after(delay, message)

    def _runtime(self) -> LiveActor:
        if self._actor is None:
            raise RuntimeError("this view is not running in an actor yet")
        return self._actor
