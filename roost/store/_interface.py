# What every state store backend promises: the Store protocol that sessions
# call and that tests/store/test_contract.py checks each backend against.
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import anyio
import anyio.abc


@runtime_checkable
class Store(Protocol):
    """A map from ``str`` keys to ``bytes`` snapshots, in this process or shared.

    Values are bytes: the caller encodes a snapshot (with msgspec, say) and
    decodes what it gets back, so that every backend stores the same thing
    and one between processes (Redis) stores it as it is. ``put`` accepts
    ``bytes``, ``bytearray`` or ``memoryview`` and raises ``TypeError`` for
    anything else, in every backend; ``get`` returns ``bytes``.

    Every backend keeps these promises, which the contract test checks:

    - ``get`` of a key never put, or deleted since, returns ``None``; an empty
      value is ``b""``, not ``None``.
    - ``get`` returns bytes equal to those of the last completed ``put`` of
      that key: ``put`` overwrites. Changing a ``bytearray`` after putting it
      does not change what was stored.
    - ``delete`` removes one key; deleting a missing key is fine.
    - Keys are independent, and so are two backends that share nothing (for
      a backend between processes, two namespaces).
    - What was put outlives a restart of ``run`` (after a crash, by its
      supervisor). How long it outlives the process is the backend's to say:
      the in-memory one loses everything when the process exits.

    Call ``get``, ``put`` and ``delete`` while ``run`` is running. A backend
    between processes raises a ``ConnectionError`` (such as
    :class:`~roost.store.RedisUnavailable`) from a call while it cannot reach
    its server, without waiting for it: the caller retries later.
    """

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Run the backend under a supervisor until cancelled.

        Calls ``task_status.started(self)`` once the store can be used, so
        ``await task_group.start(store.run)`` returns the store. Raises if it
        cannot start, or fails in a way only a restart by its supervisor can
        mend. A backend between processes that loses its server while
        running does not raise: its calls raise until the server is back,
        and then work again.
        """
        ...

    async def get(self, key: str) -> bytes | None:
        """The value last put at ``key``, or ``None`` if there is none."""
        ...

    async def put(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """Store ``value`` at ``key``, replacing what was there.

        Raises:
          TypeError: if ``value`` is not ``bytes``, ``bytearray`` or
            ``memoryview``; the store is then left as it was.
        """
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key`` and its value; nothing happens if it is not there."""
        ...
