# Where a supervisor's tasks run (Trio's own nursery under Trio, anyio's task
# group elsewhere) and the queue through which its run loop hears of exits.
from __future__ import annotations

import contextlib
from typing import Any, Protocol, TypeAlias, cast

import anyio
import anyio.lowlevel
import trio
import trio.lowlevel

from ._child import Child
from ._shutdown import Instance, running_on_trio

# What the run loop receives: (child, instance, error) when that run of the
# child ended by itself (error None: a normal exit), or (child, None, error)
# when a restart failed to start and is to be tried again.
Exit: TypeAlias = tuple[Child, Instance | None, BaseException | None]


class _Cancellable(Protocol):
    def cancel(self) -> None: ...


class TaskGroup(Protocol):
    """Where roost's own tasks run (a supervisor's children, a tab's timers, a
    socket's writer): Trio's nursery under Trio, else anyio's task group."""

    @property
    def cancel_scope(self) -> _Cancellable: ...
    async def start(self, func: Any, *args: Any, name: Any = None) -> Any: ...
    def start_soon(self, func: Any, *args: Any, name: Any = None) -> None: ...


def open_task_group() -> contextlib.AbstractAsyncContextManager[TaskGroup]:
    """A task group for tasks roost starts by the thousand. Under Trio it is
    Trio's own nursery: anyio's (4.16) wraps each task in a handle with a cancel
    scope and an event of its own, about 2.4 KiB and 14 µs more per task."""
    if running_on_trio():
        import trio

        return trio.open_nursery()
    # (anyio's TaskGroup matches TaskGroup; mypy cannot match its TypeVarTuple signatures.)
    return cast("contextlib.AbstractAsyncContextManager[TaskGroup]", anyio.create_task_group())


def sole_cancellation(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The cancellation in a group of nothing but cancellations (as a Trio nursery
    raises when it is cancelled), to raise on alone as anyio's task group does."""
    cancelled, rest = group.split(anyio.get_cancelled_exc_class())
    if cancelled is None or rest is not None:
        return None
    leaf: BaseException = cancelled
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    return leaf


class Exits:
    """The run loop's queue: a list, and the loop's task parked on it while it
    waits (under Trio; an event elsewhere). A supervisor waits here for all its
    life, so waiting must cost no objects: an event would be about 1 KiB."""

    __slots__ = ("_items", "_parked", "_wakeup")

    def __init__(self) -> None:
        self._items: list[Exit] = []
        self._parked: Any = None  # the Trio task waiting in receive_all
        self._wakeup: anyio.Event | None = None

    def send_nowait(self, item: Exit) -> None:
        self._items.append(item)
        if self._parked is not None:
            task, self._parked = self._parked, None
            trio.lowlevel.reschedule(task)
        elif self._wakeup is not None:
            self._wakeup.set()

    async def receive_all(self) -> list[Exit]:
        """Everything sent since the last call, in order; waits while there is nothing."""
        await anyio.lowlevel.checkpoint()
        while not self._items:
            if running_on_trio():
                await self._park()
                continue
            self._wakeup = anyio.Event()
            try:
                await self._wakeup.wait()
            finally:
                self._wakeup = None
        items, self._items = self._items, []
        return items

    async def _park(self) -> None:
        self._parked = trio.lowlevel.current_task()

        def abort(_: Any) -> trio.lowlevel.Abort:
            self._parked = None
            return trio.lowlevel.Abort.SUCCEEDED

        await trio.lowlevel.wait_task_rescheduled(abort)
