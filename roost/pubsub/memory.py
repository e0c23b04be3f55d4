# The default pubsub backend: topics live in this process only.
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import anyio
import anyio.abc

Deliver = Callable[[str, Any], None]


class MemoryPubSub:
    """Topics to subscribers within one process.

    ``deliver`` callbacks must not block: each actor's callback puts the
    message in its own mailbox and drops it when that mailbox is full, so a
    slow subscriber never holds up a broadcast or grows memory.
    """

    def __init__(self) -> None:
        self._topics: dict[str, dict[int, Deliver]] = defaultdict(dict)
        self._next = 0

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        task_status.started(self)
        await anyio.sleep_forever()

    def subscribe(self, topic: str, deliver: Deliver) -> Callable[[], None]:
        """Call ``deliver(topic, message)`` for each broadcast on ``topic``; returns unsubscribe."""
        self._next += 1
        key = self._next
        self._topics[topic][key] = deliver

        def unsubscribe() -> None:
            subscribers = self._topics.get(topic)
            if subscribers is not None:
                subscribers.pop(key, None)
                if not subscribers:
                    del self._topics[topic]

        return unsubscribe

    async def broadcast(self, topic: str, message: Any) -> None:
        """Deliver ``message`` to every current subscriber of ``topic``."""
        for deliver in list(self._topics.get(topic, {}).values()):
            deliver(topic, message)
