"""Snapshots of session and actor state, behind one small interface.

:class:`Store` is the interface: ``get``, ``put`` and ``delete`` of ``bytes``
by ``str`` key, with ``run`` to start it under a supervisor. :func:`backend`
picks an implementation by URL; the in-memory one (:class:`MemoryStore`,
``memory://``) is the default. Nothing snapshots into it yet. Resuming a
session on another process (``--store``) goes behind the same interface and
passes the same contract test.
"""

from ._backends import backend as backend
from ._interface import Store as Store
from .memory import MemoryStore as MemoryStore
