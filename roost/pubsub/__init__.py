"""Publish/subscribe between actors, behind one small interface.

``subscribe(topic, deliver) -> unsubscribe`` and ``broadcast(topic, message)``.
The in-memory backend is the one there is today; a backend shared between
processes (Redis, for ``--workers`` and ``--pubsub``) goes behind the same
interface.
"""

from .memory import MemoryPubSub as MemoryPubSub
