"""Publish/subscribe between actors, behind one small interface.

:class:`PubSub` is the interface: ``subscribe(topic, deliver) -> unsubscribe``
and ``broadcast(topic, message)``, with ``run`` to start it under a
supervisor. :func:`backend` picks an implementation by URL; the in-memory one
(:class:`MemoryPubSub`, ``memory://``) is the default; ``redis://`` shares
topics between processes and machines (``roost.pubsub.redis.RedisPubSub``,
with the ``redis`` extra, for ``--workers`` and ``--pubsub``). Both pass the
same contract test.
"""

from .._redis import RedisUnavailable as RedisUnavailable
from ._backends import backend as backend
from ._interface import Deliver as Deliver
from ._interface import PubSub as PubSub
from ._interface import Unsubscribe as Unsubscribe
from .memory import MemoryPubSub as MemoryPubSub
