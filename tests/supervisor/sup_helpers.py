"""Children whose life a test drives: started, crashed, exited on command."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import anyio
import anyio.abc
import trio
from anyio.streams.memory import MemoryObjectSendStream

from roost.supervisor import ChildSpec


class Boom(Exception):
    """The crash a test child raises."""


class Children:
    """A family of test children.

    ``log`` records ``("start", id)`` and ``("stop", id)`` in order; a child's
    started value is ``"<id>#<n>"`` for its n-th start. ``crash(id)`` makes it
    raise, ``exit(id)`` makes it return; ``fail_start[id]`` makes its next start raise.
    ``hold(id)`` makes its next start wait, before it reports started, until the
    returned event is set (``waiting`` holds the ids waiting so).
    """

    def __init__(self) -> None:
        self.log: list[tuple[str, Hashable]] = []
        self.starts: Counter[Hashable] = Counter()
        self.fail_start: dict[Hashable, BaseException] = {}
        self.waiting: set[Hashable] = set()
        self._gates: dict[Hashable, anyio.Event] = {}
        self._commands: dict[Hashable, MemoryObjectSendStream[BaseException | None]] = {}

    def spec(self, id: Hashable, **options: Any) -> ChildSpec:
        return ChildSpec(id, self.run, args=(id,), **options)

    async def run(
        self, id: Hashable, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        if id in self.fail_start:
            raise self.fail_start.pop(id)
        gate = self._gates.pop(id, None)
        if gate is not None:
            self.waiting.add(id)
            try:
                await gate.wait()
            finally:
                self.waiting.discard(id)
        self.starts[id] += 1
        send, receive = anyio.create_memory_object_stream[BaseException | None](math.inf)
        self._commands[id] = send
        self.log.append(("start", id))
        task_status.started(f"{id}#{self.starts[id]}")
        try:
            async with receive:
                async for command in receive:
                    if command is None:
                        return
                    raise command
        finally:
            self.log.append(("stop", id))
            send.close()
            if self._commands.get(id) is send:
                del self._commands[id]

    def hold(self, id: Hashable) -> anyio.Event:
        """Make the next start of ``id`` wait for the returned event before ``started()``."""
        gate = self._gates[id] = anyio.Event()
        return gate

    def running(self) -> set[Hashable]:
        return set(self._commands)

    def crash(self, id: Hashable, error: BaseException | None = None) -> None:
        self._commands[id].send_nowait(error or Boom(f"{id} crashed"))

    def exit(self, id: Hashable) -> None:
        self._commands[id].send_nowait(None)

    def stops(self) -> list[Hashable]:
        return [id for kind, id in self.log if kind == "stop"]


async def failure_of(supervisor: Any, scenario: Callable[[], Awaitable[object]]) -> Exception:
    """Run ``supervisor``, drive it with ``scenario()`` and return what ``run`` raised.

    Fails the test if ``run`` returns normally instead.
    """
    failure: Exception | None = None
    async with trio.open_nursery() as nursery:

        async def runner(*, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
            nonlocal failure
            try:
                await supervisor.run(task_status=task_status)
            except Exception as exc:
                failure = exc
                nursery.cancel_scope.cancel()
            else:
                raise AssertionError(f"{supervisor!r} returned normally")

        await nursery.start(runner)
        await scenario()
        await trio.sleep_forever()
    assert failure is not None
    return failure
