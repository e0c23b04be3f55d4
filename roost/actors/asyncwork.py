# Slow work off an actor's mailbox (start_async, assign_async): a task owned
# by the actor's incarnation, whose result (or failure) comes back as a message.
from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio

from .mailbox import Mailbox, MailboxClosed

T = TypeVar("T")

_tokens = itertools.count(1)


@dataclass(frozen=True, slots=True)
class AsyncResult(Generic[T]):
    """Where a piece of async work is: ``loading``, ``ok`` (``result`` holds its
    value) or ``failed`` (``failed`` holds why: the exception, or ``"cancelled"``).

    ``assign_async`` puts one in each of its assigns, so a template can say
    ``{% if user.loading %}…{% elif user.ok %}{{ user.result.name }}{% else %}…``.
    """

    loading: bool = False
    result: T | None = None
    failed: Any = None

    @property
    def ok(self) -> bool:
        return not self.loading and self.failed is None

    @classmethod
    def pending(cls) -> AsyncResult[Any]:
        return cls(loading=True)

    @classmethod
    def done(cls, value: T) -> AsyncResult[T]:
        return cls(result=value)

    @classmethod
    def error(cls, reason: Any) -> AsyncResult[Any]:
        return cls(failed=reason)


@dataclass(frozen=True, slots=True)
class AsyncDone:
    """The message a finished piece of work puts in its actor's mailbox."""

    name: str
    token: int
    result: AsyncResult[Any]
    keys: tuple[str, ...] | None = None  # assign_async's assigns, else None


class AsyncWork:
    """The async work of one incarnation, by name. ``close`` cancels it all."""

    def __init__(self, mailbox: Mailbox, spawn: Callable[[Any], None]) -> None:
        self._mailbox = mailbox
        self._spawn = spawn
        self._running: dict[str, tuple[int, anyio.CancelScope, tuple[str, ...] | None]] = {}

    def start(
        self, name: str, fn: Callable[..., Any], args: tuple[Any, ...], keys: tuple[str, ...] | None
    ) -> None:
        """Run ``fn(*args)`` (a coroutine function, or a plain one: then in a
        worker thread) as ``name``, replacing (cancelling) work of that name."""
        self.cancel(name)
        token = next(_tokens)
        scope = anyio.CancelScope()
        self._running[name] = (token, scope, keys)
        mailbox = self._mailbox

        async def work() -> None:
            result: AsyncResult[Any]
            try:
                with scope:
                    if inspect.iscoroutinefunction(fn):
                        value = await fn(*args)
                    else:
                        value = await anyio.to_thread.run_sync(lambda: fn(*args))
                    result = AsyncResult.done(value)
                if scope.cancelled_caught:
                    return  # cancelled: cancel() told the actor already, or it is gone
            except Exception as exc:  # the work failed: a failed result, not a crash
                result = AsyncResult.error(exc)
            try:
                await mailbox.put(AsyncDone(name, token, result, keys))
            except MailboxClosed:
                pass  # the actor exited meanwhile

        self._spawn(work)

    def current(self, name: str, token: int) -> bool:
        """Whether ``token`` is the running work of ``name`` (else a stale result)."""
        running = self._running.get(name)
        if running is None or running[0] != token:
            return False
        del self._running[name]
        return True

    def cancel(self, name: str) -> tuple[str, ...] | None:
        """Cancel work ``name``: its ``assign_async`` keys (``()`` for
        ``start_async`` work), or None when no work of that name ran."""
        running = self._running.pop(name, None)
        if running is None:
            return None
        running[1].cancel()
        return running[2] or ()

    def close(self) -> None:
        for _, scope, _keys in self._running.values():
            scope.cancel()
        self._running.clear()
