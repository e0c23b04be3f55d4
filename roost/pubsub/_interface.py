# What every pubsub backend promises: the PubSub protocol that actors call
# and that tests/pubsub/test_contract.py checks each backend against.
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeAlias, runtime_checkable

import anyio
import anyio.abc

Deliver: TypeAlias = Callable[[str, Any], None]
"""``deliver(topic, message)``: hands one broadcast to one subscriber; must not block."""

Unsubscribe: TypeAlias = Callable[[], None]
"""Ends the subscription that returned it; calling it again does nothing."""


@runtime_checkable
class PubSub(Protocol):
    """Topics to subscribers, within one process or shared between several.

    A topic is any string, matched exactly (no wildcards, no prefixes:
    ``"chat:*"`` is just another topic). A message is JSON-able data: ``None``,
    ``bool``, ``int``, ``float``, ``str``, and lists and ``str``-keyed dicts of
    these. A subscriber receives a value equal to what was broadcast; the
    in-memory backend hands every subscriber the very object, so treat it as
    read-only, and a backend between processes hands each process a decoded
    copy (so send lists, not tuples).

    Every backend keeps these promises, which the contract test checks:

    - **Fan-out.** A broadcast on a topic reaches every subscription to that
      topic that is current when the broadcast starts, the broadcaster's own
      included when it is subscribed. Subscribers of this process have been
      called by the time ``broadcast`` returns; subscribers of other
      processes sharing the backend get it soon after.
    - **Order.** Two broadcasts on one topic, the second started after the
      first returned, reach each subscriber in that order. Nothing is
      promised across topics, or between subscribers.
    - **Isolation.** A broadcast reaches nothing subscribed to another topic,
      or to another backend that shares nothing with this one.
    - **Unsubscribe.** Once ``unsubscribe()`` has returned, its ``deliver`` is
      never called again, even by a broadcast already under way. Calling it
      twice is fine. Other subscriptions, of the same callback too, are left
      as they were.
    - **Deliver callbacks neither block nor raise.** A backend calls them from
      ``broadcast`` or from its own receiving task, one after another, so a
      slow one would hold up every other subscriber: an actor's callback puts
      the message in its mailbox or drops it. If one raises all the same, the
      backend logs the exception and goes on delivering to the others;
      ``broadcast`` does not raise it.

    Subscriptions belong to the backend object, not to its ``run`` task: they
    may be made before ``run`` starts, and they hold across a restart of
    ``run`` (after a crash, by its supervisor).
    """

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Run the backend under a supervisor until cancelled.

        Calls ``task_status.started(self)`` once ``broadcast`` can be used
        (a backend between processes is then connected), so
        ``await task_group.start(pubsub.run)`` returns the backend. Raises if
        it cannot start, or fails in a way only a restart by its supervisor
        can mend. A backend between processes that loses its server while
        running does not raise: it reconnects by itself, with backoff, and
        its subscribers of this process go on getting this process's
        broadcasts meanwhile (a restart could do no more, and one per failed
        attempt would use up the supervisor's restart intensity).
        """
        ...

    def subscribe(self, topic: str, deliver: Deliver) -> Unsubscribe:
        """Call ``deliver(topic, message)`` for every broadcast on ``topic`` from now on.

        Synchronous, so that an actor can subscribe inside ``mount``: the
        subscription holds for this process at once, and a backend between
        processes subscribes remotely from its ``run`` task. Each call is a
        subscription of its own: subscribing one callback twice delivers each
        message to it twice.

        Returns:
          The ``unsubscribe()`` that ends this subscription.
        """
        ...

    async def broadcast(self, topic: str, message: Any) -> None:
        """Deliver ``message`` to every current subscriber of ``topic``, in every process.

        Use it while ``run`` is running. When it returns, the subscribers of
        this process have been called. A backend between processes may raise
        if it cannot reach the others.
        """
        ...
