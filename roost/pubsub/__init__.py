"""Publish/subscribe between actors, behind one small interface.

The in-memory backend is the default; a Redis backend shares topics between
processes (``--pubsub redis://``).
"""

from .memory import MemoryPubSub as MemoryPubSub
