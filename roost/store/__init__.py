"""Snapshots of session and actor state, behind one small interface.

:class:`Store` is the interface: ``get``, ``put`` and ``delete`` of ``bytes``
by ``str`` key, with ``run`` to start it under a supervisor. :func:`backend`
picks an implementation by URL; the in-memory one (:class:`MemoryStore`,
``memory://``) is the default; ``redis://`` keeps snapshots in Redis, shared
between processes and machines (``roost.store.redis.RedisStore``, with the
``redis`` extra, for ``--store``). Both pass the same contract test.
"""

from .._redis import RedisUnavailable as RedisUnavailable
from ._backends import backend as backend
from ._interface import Store as Store
from .memory import MemoryStore as MemoryStore
