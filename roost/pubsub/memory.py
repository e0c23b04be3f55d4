# The default pubsub backend: topics live in this process only.
from __future__ import annotations

import logging
from typing import Any

import anyio
import anyio.abc

from ._interface import Deliver, Unsubscribe

log = logging.getLogger(__name__)


class MemoryPubSub:
    """A :class:`~roost.pubsub.PubSub` whose topics live in this process only.

    ``broadcast`` calls every subscriber before it returns. Messages are
    handed over as they are, not copied, and are not checked to be JSON-able:
    code that must also run on a backend between processes should send
    JSON-able data only. ``run`` holds no resources; subscribing and
    broadcasting work whether or not it is running.
    """

    def __init__(self) -> None:
        self._topics: dict[str, dict[int, Deliver]] = {}
        self._next = 0

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Report started at once, then wait to be cancelled."""
        task_status.started(self)
        await anyio.sleep_forever()

    def subscribe(self, topic: str, deliver: Deliver) -> Unsubscribe:
        """Call ``deliver(topic, message)`` for each broadcast on ``topic``; returns unsubscribe."""
        self._next += 1
        key = self._next
        self._topics.setdefault(topic, {})[key] = deliver

        def unsubscribe() -> None:
            subscribers = self._topics.get(topic)
            if subscribers is not None:
                subscribers.pop(key, None)
                if not subscribers:
                    del self._topics[topic]

        return unsubscribe

    async def broadcast(self, topic: str, message: Any) -> None:
        """Call every current subscriber of ``topic`` with ``message``, in subscription order."""
        subscribers = self._topics.get(topic)
        if subscribers is None:
            return
        # A callback may subscribe or unsubscribe others: those who subscribe
        # now wait for the next broadcast, those who leave get nothing more.
        for key, deliver in list(subscribers.items()):
            if key not in subscribers:
                continue
            try:
                deliver(topic, message)
            except Exception:
                log.exception("pubsub: a subscriber to %r raised; delivering to the rest", topic)
