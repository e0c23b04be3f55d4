# "Nothing leaked": walk Trio's task tree and report tasks that outlived what
# started them. Test tooling only; needs a running Trio loop.
from __future__ import annotations

import traceback
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import trio


class LeakedTasksError(AssertionError):
    """Tasks were still running that should have ended; the message has their stacks."""


def _walk(task: trio.lowlevel.Task) -> Iterable[trio.lowlevel.Task]:
    yield task
    for nursery in task.child_nurseries:
        for child in nursery.child_tasks:
            yield from _walk(child)


def _ancestors(task: trio.lowlevel.Task) -> set[trio.lowlevel.Task]:
    found = {task}
    nursery = task.parent_nursery
    while nursery is not None:
        parent = nursery.parent_task
        found.add(parent)
        nursery = parent.parent_nursery
    return found


def running_tasks() -> set[trio.lowlevel.Task]:
    """Every task of the current Trio run except the caller and its ancestors."""
    root = trio.lowlevel.current_root_task()
    assert root is not None, "needs a running Trio run"
    return set(_walk(root)) - _ancestors(trio.lowlevel.current_task())


def format_tasks(tasks: Iterable[trio.lowlevel.Task]) -> str:
    """Each task's name and await-stack, for an assertion message or a log."""
    parts = []
    for task in sorted(tasks, key=lambda t: t.name):
        stack = traceback.StackSummary.extract(task.iter_await_frames())
        parts.append(f"task {task.name!r}:\n" + "".join(stack.format()))
    return "\n".join(parts)


def leaked_tasks(baseline: Iterable[trio.lowlevel.Task]) -> set[trio.lowlevel.Task]:
    """Tasks running now that were not in ``baseline`` (see :func:`running_tasks`)."""
    return running_tasks() - set(baseline)


def assert_no_leaked_tasks(baseline: Iterable[trio.lowlevel.Task]) -> None:
    """Raise :class:`LeakedTasksError` naming every task started since ``baseline``
    was taken (with :func:`running_tasks`) that is still running."""
    leaked = leaked_tasks(baseline)
    if leaked:
        raise LeakedTasksError(
            f"{len(leaked)} task(s) still running that should have ended:\n" + format_tasks(leaked)
        )


@asynccontextmanager
async def no_leaked_tasks() -> AsyncIterator[None]:
    """Fail (:class:`LeakedTasksError`) if a task started inside the block outlives it.

    Never sleeps: it checks once, at the end of the block.
    """
    baseline = running_tasks()
    yield
    assert_no_leaked_tasks(baseline)
