# Stopping one running child: cancel it, wait for it within its shutdown
# timeout, and describe (with its stack) a child that outlives the timeout.
from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import anyio
import sniffio


@dataclass(eq=False)
class Instance:
    """One run of a child, from the start of its start: its task's cancel scope and how it ended.

    A run is *starting* until its start function calls ``started()``; its
    supervisor may stop it in either state.
    """

    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    done: anyio.Event = field(default_factory=anyio.Event)  # its task has ended
    stopped: anyio.Event = field(default_factory=anyio.Event)  # stopped and accounted for
    task: Any = None  # trio.lowlevel.Task under Trio, else the task's coroutine
    started: bool = False
    value: Any = None
    stopping: bool = False  # its supervisor is shutting it down (a normal exit)
    start_error: BaseException | None = None
    error: BaseException | None = None  # what its start function raised, if anything


def current_task_handle() -> Any:
    """Something :func:`describe_task` can render the stack of, for the calling task."""
    if sniffio.current_async_library() == "trio":
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
    instance: Instance, grace: float | None, on_overdue: Callable[[str], None]
) -> None:
    """Cancel ``instance`` and wait until its task has ended.

    With a ``grace`` (seconds), a child still running that long after its
    cancellation, with none of its tasks waiting for its turn to run, is
    reported through ``on_overdue(stack)``: it holds out, shielded from the
    cancellation. A child past the deadline only because it has not had the
    CPU (an event loop busy with thousands of shutdowns, a long garbage
    collection) is given its turns first; it is reported all the same if it
    is still running a second ``grace`` later. The wait then goes on, since a
    task that shields itself cannot be killed. Call this shielded.
    """
    instance.stopping = True
    instance.scope.cancel()
    if grace is not None and not instance.done.is_set():
        with anyio.move_on_after(grace):
            await instance.done.wait()
        # Past the deadline: report once the child's tree has been quiet (no
        # task ready to run) across one turn of the event loop, which also
        # polls for I/O that would wake it, or at the latest one more grace on.
        latest = anyio.current_time() + grace
        quiet = 0
        while not instance.done.is_set():
            quiet = 0 if ready_to_run(instance.task) else quiet + 1
            if quiet >= 2 or anyio.current_time() >= latest:
                on_overdue(describe_task(instance.task))
                break
            with anyio.move_on_after(RECHECK):
                await instance.done.wait()
    await instance.done.wait()
