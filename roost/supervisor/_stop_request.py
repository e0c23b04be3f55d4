# The stop request: how a supervised child hears, from inside its own tasks,
# that its supervisor wants it to stop, before the deadline cancels it.
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

import anyio

from ._shutdown import Instance, current_task_handle

_current: ContextVar[Instance | None] = ContextVar("roost.supervisor.child", default=None)


def enter_child(instance: Instance) -> None:
    """Make ``instance`` the supervised child of the calling task and of every task it starts."""
    _current.set(instance)


def current_child() -> Instance | None:
    """The supervised child the calling task runs in (the innermost), if any."""
    return _current.get()


def _nothing() -> None:
    pass


def on_stop_request(callback: Callable[[], object]) -> Callable[[], None]:
    """Call ``callback()`` when this child's supervisor asks it to stop; returns the
    function that unregisters it.

    Call it from inside a supervised child: its start function's task or any
    task started under it. ``callback`` runs synchronously in the supervisor's
    task, once: keep it quick and non-blocking (put a message in a mailbox, set
    an event). If the stop was already requested, it runs at once. Outside a
    supervised child nothing will ever ask, and this does nothing.

    A child with a callback registered when the stop begins is given its
    ``shutdown`` time to end by itself (``"infinity"``: all the time it takes)
    before it is cancelled; a child with none is cancelled at once, and so is
    every child of a ``"brutal_kill"`` spec, without being asked. An exception
    from ``callback`` is logged, and counts as not having heard.
    """
    instance = _current.get()
    if instance is None:
        return _nothing
    return instance.listen(callback)


async def stop_requested() -> None:
    """Return once this child's supervisor asks it to stop (at once if it already has).

    While this waits, the child counts as listening (see :func:`on_stop_request`).
    Outside a supervised child it waits until cancelled.
    """
    requested = anyio.Event()
    unregister = on_stop_request(requested.set)
    try:
        await requested.wait()
    finally:
        unregister()


def listen_to_own_stop_request(callback: Callable[[], object]) -> Instance | None:
    """Add ``callback`` as a listener, only for code running in the child's own task;
    the instance to remove it from later (``remove_listener``), or None.

    A supervisor's ``run`` uses it: run as a child's start function, or by the
    child's own task (a session's ``run`` awaits its supervisor's), it stops
    gracefully when that child is asked to; run in a task the child started
    beside its own work, it leaves the request to that work.
    """
    instance = _current.get()
    if instance is None or instance.task is not current_task_handle():
        return None
    instance.add_listener(callback)
    return instance
