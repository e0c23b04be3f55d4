# The default state store: snapshots kept in this process only.
from __future__ import annotations

from typing import Any

import anyio
import anyio.abc


class MemoryStore:
    """A key -> snapshot map for this process; lost when it exits."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        task_status.started(self)
        await anyio.sleep_forever()

    async def get(self, key: str) -> Any | None:
        return self._data.get(key)

    async def put(self, key: str, value: Any) -> None:
        self._data[key] = value

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)
