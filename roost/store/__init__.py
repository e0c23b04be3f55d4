"""Snapshots of session and actor state, behind one small interface.

``get``, ``put`` and ``delete`` by key. The in-memory backend is started
under the root today; nothing snapshots into it yet. Resuming a session on
another process (``--store``) goes behind the same interface.
"""

from .memory import MemoryStore as MemoryStore
