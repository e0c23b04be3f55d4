# Actor snapshots: the assigns an actor opted to keep (`persist`), signed and
# size-limited, in the runtime's store, so that a restart (after a crash, or on
# another worker after this one died) resumes them instead of starting over.
from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import pickle
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import anyio

if TYPE_CHECKING:
    from ..store import Store

log = logging.getLogger("roost.snapshots")

SNAPSHOT_LIMIT = 64 * 1024
"""Bytes a snapshot may take (signature included) unless the app says otherwise."""
DEBOUNCE = 1.0
"""Seconds a snapshot no reply waits for may be put off (timers, pubsub)."""
STORE_TIMEOUT = 5.0
"""Seconds a store call of a snapshot may take before it counts as failed (a
store that hangs must not hold the actor, and the acks behind it, for ever)."""
RETRY_MAX = 30.0
"""The longest wait between tries of a snapshot the store failed to take (the
waits double from ``DEBOUNCE``)."""
_MAC = 32  # bytes of HMAC-SHA256


RECORD = "session"
"""The key suffix of a session's own record (route, resume key hash)."""


def key_hash(resume_key: str) -> str:
    """What a session record keeps of its resume key (never the key itself)."""
    return hashlib.sha256(resume_key.encode()).hexdigest()


@functools.lru_cache(maxsize=8)
def _signing_key(secret: str) -> bytes:
    # Once per secret, not once per session.
    return hashlib.sha256(b"roost snapshots " + secret.encode()).digest()


class SnapshotTooLarge(ValueError):
    """A snapshot past the size limit: it is not saved (and the log says so)."""


def persisted(state: Any) -> tuple[str, ...] | None:
    """The assigns ``state`` keeps across restarts: all its public ones for
    ``persist = True``, the named ones for ``persist = ("a", "b")``; None for none."""
    persist = type(state).persist
    if persist is True:
        return tuple(k for k in vars(state) if not k.startswith("_"))
    if persist:
        return tuple(persist)
    return None


class Snapshots:
    """One session's snapshots in ``store``: keys ``session:<id>:<target>``.

    Values are ``HMAC-SHA256(key, pickle) + pickle``: only this app (its
    secret) can make one that loads, so a store others can write to cannot
    make the server unpickle their bytes.
    """

    def __init__(
        self,
        store: Store,
        session_id: str,
        secret: str,
        limit: int = SNAPSHOT_LIMIT,
        record: dict[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.session_id = session_id
        self.limit = limit
        self._key = _signing_key(secret)
        self.saved: set[str] = set()
        """The targets with a snapshot saved by this session (to forget at its end)."""
        self.record = record
        """What another process needs to resume this session (put with its first
        snapshot): its route and the hash of its resume key."""
        self._recorded = False

    def key(self, target: str) -> str:
        return f"session:{self.session_id}:{target}"

    def encode(self, target: str, values: dict[str, Any]) -> bytes:
        """``values`` signed, or :class:`SnapshotTooLarge`."""
        data = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) + _MAC > self.limit:
            raise SnapshotTooLarge(
                f"the snapshot of {target!r} is {len(data) + _MAC} bytes, over the limit of "
                f"{self.limit} (persist fewer assigns, or raise App(snapshot_limit=...))"
            )
        return hmac.new(self._key, data, hashlib.sha256).digest() + data

    def decode(self, blob: bytes) -> dict[str, Any] | None:
        """The values of a snapshot this app signed; None for anything else."""
        mac, data = blob[:_MAC], blob[_MAC:]
        if not hmac.compare_digest(mac, hmac.new(self._key, data, hashlib.sha256).digest()):
            return None
        values = pickle.loads(data)
        return values if isinstance(values, dict) else None

    async def save(
        self, target: str, values: dict[str, Any], *, again: bool = False
    ) -> Literal["saved", "refused", "failed"]:
        """Put ``target``'s snapshot: ``"saved"``; ``"refused"`` when it cannot be
        made (too large, an assign pickle cannot take: trying again will not help);
        ``"failed"`` when the store failed (worth trying again). Both logged, a
        failure only at DEBUG when it is ``again`` (a retry's)."""
        try:
            blob = self.encode(target, values)
        except SnapshotTooLarge as exc:
            log.error("%s", exc)
            return "refused"
        except Exception as exc:  # an assign pickle cannot take
            log.error("the snapshot of %r cannot be made: %s", target, exc)
            return "refused"
        try:
            with anyio.fail_after(STORE_TIMEOUT):
                if not self._recorded and self.record is not None:
                    await self.store.put(self.key(RECORD), self.encode(RECORD, self.record))
                    self._recorded = True
                    self.saved.add(RECORD)
                await self.store.put(self.key(target), blob)
        except Exception as exc:
            why = str(exc) or f"no answer in {STORE_TIMEOUT:g} s"
            level = logging.DEBUG if again else logging.WARNING
            log.log(level, "the snapshot of %r was not saved (the store failed: %s)", target, why)
            return "failed"
        self.saved.add(target)
        return "saved"

    async def load(self, target: str) -> dict[str, Any] | None:
        """``target``'s snapshot, if there is one this app signed (else None)."""
        try:
            with anyio.fail_after(STORE_TIMEOUT):
                blob = await self.store.get(self.key(target))
        except Exception as exc:
            why = str(exc) or f"no answer in {STORE_TIMEOUT:g} s"
            log.warning("the snapshot of %r could not be read (%s): mounting afresh", target, why)
            return None
        if blob is None:
            return None
        values = self.decode(blob)
        if values is None:
            log.error("the snapshot of %r is not signed by this app: ignored", target)
        return values

    async def forget(self, targets: Iterable[str] | None = None) -> None:
        """Delete the snapshots of ``targets`` (default: every one this session saved)."""
        for target in list(targets if targets is not None else self.saved):
            self.saved.discard(target)
            try:
                with anyio.move_on_after(2):
                    await self.store.delete(self.key(target))
            except Exception as exc:
                log.warning("the snapshot of %r was not deleted: %s", target, exc)
