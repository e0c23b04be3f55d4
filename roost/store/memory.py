# The default state store: snapshots kept in this process only.
from __future__ import annotations

from typing import Any

import anyio
import anyio.abc


class MemoryStore:
    """A :class:`~roost.store.Store` kept in this process; lost when it exits.

    ``run`` holds no resources; the store works whether or not it is running.
    """

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Report started at once, then wait to be cancelled."""
        task_status.started(self)
        await anyio.sleep_forever()

    async def get(self, key: str) -> bytes | None:
        """The value last put at ``key``, or ``None``."""
        return self._data.get(key)

    async def put(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """Store a copy of ``value`` at ``key``; ``TypeError`` unless it is bytes-like."""
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(f"a store value must be bytes, not {type(value).__name__}")
        self._data[key] = bytes(value)

    async def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens if it is not there."""
        self._data.pop(key, None)
