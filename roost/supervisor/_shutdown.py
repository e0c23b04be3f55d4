# Stopping one child, in two phases: ask it to stop, cancel it at its deadline,
# wait for it, and describe (with its stack) a child that outlives the deadline.
from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any, Protocol

import anyio
import sniffio

from . import events
from ._spec import Shutdown


class CancelScopeLike(Protocol):
    """anyio's CancelScope, or Trio's own (one object less per child under Trio)."""

    @property
    def shield(self) -> bool: ...
    @shield.setter
    def shield(self, value: bool) -> None: ...
    def cancel(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> bool | None: ...


def running_on_trio() -> bool:
    return sniffio.current_async_library() == "trio"


def new_cancel_scope() -> CancelScopeLike:
    if running_on_trio():
        import trio

        return trio.CancelScope()
    return anyio.CancelScope()


def _nothing() -> None:
    pass


class _Unlisten:
    """Unregisters one stop-request listener (smaller than a partial of a bound
    method: every actor holds one)."""

    __slots__ = ("_callback", "_instance")

    def __init__(self, instance: Instance, callback: Callable[[], object]) -> None:
        self._instance = instance
        self._callback = callback

    def __call__(self) -> None:
        self._instance.remove_listener(self._callback)


class Instance:
    """One run of a child, from the start of its start: its task's cancel scope and how it ended.

    A run is *starting* until its start function calls ``started()``; its
    supervisor may stop it in either state. Events are made only when someone
    waits for them: most runs end without anyone waiting (memory per child).
    """

    __slots__ = (
        "_done",
        "_listeners",
        "_stopped",
        "accounted",
        "ended",
        "error",
        "ignored",
        "killed",
        "owner",
        "scope",
        "skip_request",
        "start_error",
        "started",
        "stop_requested",
        "stopping",
        "task",
        "value",
    )

    def __init__(self, owner: object = None) -> None:
        self.owner: Any = owner  # its supervisor
        self.scope = new_cancel_scope()
        self.task: Any = None  # trio.lowlevel.Task under Trio, else the task's coroutine
        self.started = False
        self.value: Any = None
        self.stopping = False  # its supervisor is shutting it down (a normal exit)
        self.stop_requested = False  # ... and has asked it to stop
        self.skip_request = False  # its own tasks wait for its stop: cancel it at once
        self.start_error: BaseException | None = None
        self.error: BaseException | None = None  # what its start function raised, if anything
        self.ignored = False  # its start function returned IGNORE
        self.killed: BaseException | None = None  # kill_child's reason: its exit is abnormal
        self.ended = False  # its task has ended
        self.accounted = False  # stopped, and its supervisor has accounted for it
        self._done: anyio.Event | None = None
        self._stopped: anyio.Event | None = None
        # One listener alone (an actor's), or a list of several: most children have one.
        self._listeners: Callable[[], object] | list[Callable[[], object]] | None = None

    # -- its end, and its supervisor's accounting for it ---------------------------

    def mark_done(self) -> None:
        self.ended = True
        if self._done is not None:
            self._done.set()

    async def wait_done(self) -> None:
        if not self.ended:
            if self._done is None:
                self._done = anyio.Event()
            await self._done.wait()

    def mark_accounted(self) -> None:
        self.accounted = True
        if self._stopped is not None:
            self._stopped.set()

    async def wait_accounted(self) -> None:
        if not self.accounted:
            if self._stopped is None:
                self._stopped = anyio.Event()
            await self._stopped.wait()

    # -- the stop request ------------------------------------------------------------

    def listen(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Call ``callback()`` on the stop request (now, if it was made); the unregister."""
        if self.stop_requested:
            callback()
            return _nothing
        self.add_listener(callback)
        return _Unlisten(self, callback)

    def add_listener(self, callback: Callable[[], object]) -> None:
        listeners = self._listeners
        if self.stop_requested:
            callback()
        elif listeners is None:
            self._listeners = callback
        elif isinstance(listeners, list):
            listeners.append(callback)
        else:
            self._listeners = [listeners, callback]

    def remove_listener(self, callback: Callable[[], object]) -> None:
        listeners = self._listeners
        if isinstance(listeners, list):
            if callback in listeners:
                listeners.remove(callback)
        elif listeners is not None and listeners == callback:
            self._listeners = None

    def request_stop(self) -> bool:
        """Ask the child to stop; whether anything in it listened (and did not fail)."""
        self.stop_requested = True
        listeners, self._listeners = self._listeners, None
        if not isinstance(listeners, list):
            listeners = [] if listeners is None else [listeners]
        heard = False
        for callback in listeners:
            try:
                callback()
            except Exception:
                events.logger.exception("stop request callback %r failed", callback)
            else:
                heard = True
        return heard


def current_task_handle() -> Any:
    """Something :func:`describe_task` can render the stack of, for the calling task."""
    if running_on_trio():
        import trio

        return trio.lowlevel.current_task()
    return anyio.get_current_task().coro


def _coroutine_frames(coro: Any) -> Iterator[tuple[FrameType, int]]:
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            yield frame, frame.f_lineno
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)


def describe_task(handle: Any) -> str:
    """The await-stack of a task and, under Trio, of every task it started."""
    try:
        import trio
    except ImportError:  # pragma: no cover - trio is a dependency
        trio = None  # type: ignore[assignment]
    if trio is not None and isinstance(handle, trio.lowlevel.Task):
        lines: list[str] = []

        def walk(task: trio.lowlevel.Task, depth: int) -> None:
            indent = "  " * depth
            lines.append(f"{indent}task {task.name!r}:")
            stack = traceback.StackSummary.extract(task.iter_await_frames())
            lines.extend(indent + line for line in "".join(stack.format()).splitlines())
            for nursery in task.child_nurseries:
                for child in nursery.child_tasks:
                    walk(child, depth + 1)

        walk(handle, 0)
        return "\n".join(lines)
    stack = traceback.StackSummary.extract(_coroutine_frames(handle))
    return "".join(stack.format()).rstrip("\n")


RECHECK = 0.005
"""Seconds between two looks at a child that is past its shutdown deadline but
still had tasks waiting for their turn to run."""


def ready_to_run(handle: Any) -> bool:
    """Whether a task of this child's tree (under Trio) has been woken and not run yet.

    Such a child is on its way out and has not had the CPU: the event loop was
    busy with thousands of other tasks, or stopped for a garbage collection.
    A child whose tasks are all blocked is waiting on something else. Other
    backends (and other Trio versions) answer False: every child counts as blocked.
    """
    try:
        import trio
    except ImportError:  # pragma: no cover - trio is a dependency
        return False
    if not isinstance(handle, trio.lowlevel.Task):
        return False
    tasks = [handle]
    while tasks:
        task = tasks.pop()
        # Trio's invariant: a scheduled (runnable) task has its _next_send_fn set.
        if getattr(task, "_next_send_fn", None) is not None:
            return True
        for nursery in task.child_nurseries:
            tasks.extend(nursery.child_tasks)
    return False


async def shut_down(
    instance: Instance, shutdown: Shutdown | None, on_overdue: Callable[[str], None]
) -> bool:
    """Stop ``instance`` in two phases and wait until its task has ended.

    Phase one, for a started child with a ``shutdown`` other than
    ``"brutal_kill"`` that listens for it (:func:`on_stop_request`): ask it to
    stop and wait, up to ``shutdown`` seconds or, for ``"infinity"``, as long as
    it takes. Phase two: cancel it, at once if it did not listen. A numeric
    ``shutdown`` is also a deadline: a child still running at ``shutdown``
    seconds from the start of the stop, with none of its tasks waiting for its
    turn to run, is reported through ``on_overdue(stack)`` (it shields itself
    from the cancellation). A child past the deadline only because it has not
    had the CPU (an event loop busy with thousands of shutdowns, a long garbage
    collection) is given its turns first; it is reported all the same if it is
    still running one more ``shutdown`` period later (for ``shutdown=0``: after a
    few looks, 10 ms). The wait then goes on,
    since a task that shields itself cannot be killed.

    Cancelling the caller during phase one cuts it short: the child is
    cancelled at once, waited for (shielded), and the cancellation re-raised.
    Returns whether the child had to be cancelled.
    """
    instance.stopping = True
    grace = None if isinstance(shutdown, str) or shutdown is None else float(shutdown)
    deadline = math.inf if grace is None else anyio.current_time() + grace
    try:
        if (
            shutdown != "brutal_kill"
            and instance.started
            and not instance.ended
            and not instance.skip_request
            and anyio.current_effective_deadline() != -math.inf  # not cut short already
            and instance.request_stop()
        ):
            with anyio.move_on_at(deadline):
                await instance.wait_done()
    finally:
        with anyio.CancelScope(shield=True):
            cancelled = not instance.ended
            if cancelled:
                instance.scope.cancel()
                if grace is not None:
                    await _report_if_overdue(instance, deadline, grace, on_overdue)
            await instance.wait_done()
    return cancelled


async def _report_if_overdue(
    instance: Instance, deadline: float, grace: float, on_overdue: Callable[[str], None]
) -> None:
    with anyio.move_on_at(deadline):
        await instance.wait_done()
    # Past the deadline: report once the child's tree has been quiet (no task
    # ready to run) across one turn of the event loop, which also polls for I/O
    # that would wake it, or at the latest one more grace on (a few looks at
    # least: a child cancelled at a deadline of 0 has not run yet).
    latest = max(deadline, anyio.current_time()) + max(grace, 2 * RECHECK)
    quiet = 0
    while not instance.ended:
        quiet = 0 if ready_to_run(instance.task) else quiet + 1
        if quiet >= 2 or anyio.current_time() >= latest:
            on_overdue(describe_task(instance.task))
            return
        with anyio.move_on_after(RECHECK):
            await instance.wait_done()
