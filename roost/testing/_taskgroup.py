# A task group for test tooling: cancelled when its block ends, and a lone
# exception comes out as itself, not wrapped in an ExceptionGroup.
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.abc


@asynccontextmanager
async def task_group() -> AsyncIterator[anyio.abc.TaskGroup]:
    """A task group that is cancelled when the block ends and that re-raises a
    lone exception as itself, not wrapped in an ``ExceptionGroup``."""
    error: BaseException | None = None
    try:
        async with anyio.create_task_group() as tg:
            try:
                yield tg
            finally:
                tg.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        cancelled = anyio.get_cancelled_exc_class()
        leaves = [e for e in _leaves(group) if not isinstance(e, cancelled)]
        if len(leaves) != 1:
            raise
        error = leaves[0]
    if error is not None:
        raise error  # outside the except block: its own traceback and cause, unwrapped


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:
    out: list[BaseException] = []
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            out.extend(_leaves(exc))
        else:
            out.append(exc)
    return out
