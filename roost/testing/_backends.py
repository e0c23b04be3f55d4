# Test doubles of the pubsub and store backends whose calls can be made to
# raise or hang from a test, so that an app's degraded mode can be tested.
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import anyio
import anyio.abc

from ..pubsub import Deliver, PubSub, Unsubscribe
from ..pubsub import backend as pubsub_backend
from ..store import Store
from ..store import backend as store_backend

_INJECTED = ConnectionError("injected")


class _Fault:
    """One ``fail`` or ``hang``: what it does, and how many more calls it takes."""

    def __init__(self, exc: BaseException | type[BaseException] | None, times: int | None) -> None:
        self.exc = exc  # None: hang
        self.left = times


class _Faults:
    """The faults of one double and the count of its calls; shared by both doubles."""

    def __init__(self, kind: str, faultable: tuple[str, ...]) -> None:
        self.kind = kind
        self.faultable = faultable
        self.calls: Counter[str] = Counter()
        self.hanging = 0
        self._faults: dict[str, _Fault] = {}
        self._release: anyio.Event | None = None
        # What hung calls wait on: made by the first of them (an anyio.Event needs
        # a running event loop), set and dropped by `heal`.

    def set(
        self,
        exc: BaseException | type[BaseException] | None,
        calls: str | Iterable[str],
        times: int | None,
    ) -> None:
        names = (calls,) if isinstance(calls, str) else tuple(calls)
        unknown = [name for name in names if name not in self.faultable]
        if unknown or not names:
            raise ValueError(
                f"a {self.kind} fault applies to {', '.join(self.faultable)}; "
                f"not {', '.join(map(repr, unknown)) or 'no call at all'}"
            )
        if times is not None and (isinstance(times, bool) or not isinstance(times, int)):
            raise TypeError(f"times must be an int or None, not {type(times).__name__}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None: until heal()), not {times}")
        if exc is not None and not (
            isinstance(exc, BaseException)
            or (isinstance(exc, type) and issubclass(exc, BaseException))
        ):
            raise TypeError(f"exc must be an exception or an exception class, not {exc!r}")
        fault = _Fault(exc, times)
        for name in names:
            self._faults[name] = fault

    def heal(self) -> None:
        self._faults.clear()
        release, self._release = self._release, None
        if release is not None:
            release.set()

    async def check(self, name: str) -> None:
        """Count a call of ``name``; raise or hang if a fault says so."""
        self.calls[name] += 1
        fault = self._faults.get(name)
        if fault is None:
            return
        if fault.left is not None:
            fault.left -= 1
            if fault.left == 0:
                for other, same in list(self._faults.items()):
                    if same is fault:
                        del self._faults[other]
        if fault.exc is None:
            if self._release is None:
                self._release = anyio.Event()
            release = self._release
            self.hanging += 1
            try:
                await release.wait()
            finally:
                self.hanging -= 1
                if not self.hanging and self._release is release:
                    self._release = None  # nobody waits on it: the next hang makes its own
            return
        if fault.exc is _INJECTED:  # the default: a new one each time, never shared
            raise ConnectionError("injected")
        if isinstance(fault.exc, BaseException):
            raise fault.exc.with_traceback(None)
        raise fault.exc(f"injected: {self.kind}.{name} failed")


class _Switchboard:
    """What both doubles share: the faults, the counts, and running the backend."""

    FAULTABLE: tuple[str, ...] = ()
    """The calls :meth:`fail` and :meth:`hang` apply to."""
    _faults: _Faults
    backend: Any

    @property
    def calls(self) -> Counter[str]:
        """How many times each method was called, by name (a ``collections.Counter``)."""
        return self._faults.calls

    @property
    def hanging(self) -> int:
        """How many calls are blocked by :meth:`hang` now, waiting for :meth:`heal`."""
        return self._faults.hanging

    def fail(
        self,
        exc: BaseException | type[BaseException] = _INJECTED,
        *,
        calls: str | Iterable[str] | None = None,
        times: int | None = None,
    ) -> None:
        """Make ``calls`` raise ``exc`` from now on, without reaching the backend.

        Args:
          exc: an exception, raised as it is by every failing call (the same
            object each time); or an exception class, called with a message
            naming the call for each one. Default: ``ConnectionError("injected")``
            (a new one for each call), what a backend between processes
            raises when it cannot reach its server.
          calls: the method names to fail (default: every one of ``FAULTABLE``).
          times: fail the next ``times`` calls of any of ``calls``, then go
            back to normal; None (the default): every call, until :meth:`heal`.

        A fault set on a call replaces the one it had. Raises ``ValueError``
        for a method that takes no faults or ``times < 1``, ``TypeError``
        for an ``exc`` that is not an exception.
        """
        self._faults.set(exc, self.FAULTABLE if calls is None else calls, times)

    def hang(self, *, calls: str | Iterable[str] | None = None, times: int | None = None) -> None:
        """Make ``calls`` block from now on, until :meth:`heal` or until cancelled.

        A hung call waits without a timeout of its own and without the clock
        (it is parked on an event), so a cancel scope around it, an app's
        ``anyio.move_on_after`` say, ends it at its deadline, under
        ``autojump_clock`` too. ``calls`` and ``times`` are as for :meth:`fail`.
        Once released by :meth:`heal`, a call goes on to the backend as if it
        had never hung (a broadcast is then delivered, a ``put`` stores).
        """
        self._faults.set(None, self.FAULTABLE if calls is None else calls, times)

    def heal(self) -> None:
        """End every fault: calls from now on go to the backend, and calls
        blocked by :meth:`hang` are released and go on to it too."""
        self._faults.heal()

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Run the wrapped backend; report this double, not it, as started."""
        self._faults.calls["run"] += 1
        async with anyio.create_task_group() as tg:
            await tg.start(self.backend.run)
            task_status.started(self)


class FaultyPubSub(_Switchboard):
    """A :class:`~roost.pubsub.PubSub` whose ``broadcast`` a test can make raise or hang.

    It wraps a backend (by default a new in-memory one, what
    ``roost.pubsub.backend("memory://")`` makes) and, with no fault set, is
    that backend: it passes the same contract test. Give it to an app as
    ``App(pubsub=FaultyPubSub())``; the app uses this very object each time
    its tree starts, so the test that holds it can switch faults on and off
    at any time, from sync code:

    - :meth:`fail` makes calls raise, :meth:`hang` makes them block until
      :meth:`heal` (or until they are cancelled, so an app's own timeout
      around them works), :meth:`heal` ends every fault.
    - :attr:`calls` counts every call by method name (``"broadcast"``,
      ``"subscribe"``, ``"run"``), those that failed or hung included, and
      :attr:`hanging` is how many calls are blocked by :meth:`hang` now.

    Only ``broadcast`` takes faults: ``subscribe`` is synchronous and local
    (a backend between processes subscribes remotely from its ``run`` task),
    and ``run`` is the backend's own.
    """

    FAULTABLE = ("broadcast",)

    def __init__(self, backend: PubSub | None = None) -> None:
        self.backend: PubSub = backend if backend is not None else pubsub_backend("memory://")
        """The backend every call goes to once its fault, if any, lets it."""
        self._faults = _Faults("pubsub", self.FAULTABLE)

    def subscribe(self, topic: str, deliver: Deliver) -> Unsubscribe:
        """The wrapped backend's ``subscribe`` (counted, never faulty)."""
        self._faults.calls["subscribe"] += 1
        return self.backend.subscribe(topic, deliver)

    async def broadcast(self, topic: str, message: Any) -> None:
        """The wrapped backend's ``broadcast``, unless a fault raises or holds it first."""
        await self._faults.check("broadcast")
        await self.backend.broadcast(topic, message)


class FaultyStore(_Switchboard):
    """A :class:`~roost.store.Store` whose calls a test can make raise or hang.

    It wraps a store (by default a new in-memory one, what
    ``roost.store.backend("memory://")`` makes) and, with no fault set, is
    that store: it passes the same contract test. Give it to an app as
    ``App(store=FaultyStore())``; the app uses this very object each time its
    tree starts. Faults and counts are as for :class:`FaultyPubSub`:
    :meth:`fail`, :meth:`hang` and :meth:`heal` apply to ``get``, ``put``
    and ``delete``; :attr:`calls` counts those and ``run``. A failing or hung
    call does not reach the store: a failed ``put`` stores nothing.
    """

    FAULTABLE = ("get", "put", "delete")

    def __init__(self, backend: Store | None = None) -> None:
        self.backend: Store = backend if backend is not None else store_backend("memory://")
        """The store every call goes to once its fault, if any, lets it."""
        self._faults = _Faults("store", self.FAULTABLE)

    async def get(self, key: str) -> bytes | None:
        """The wrapped store's ``get``, unless a fault raises or holds it first."""
        await self._faults.check("get")
        return await self.backend.get(key)

    async def put(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """The wrapped store's ``put``, unless a fault raises or holds it first."""
        await self._faults.check("put")
        await self.backend.put(key, value)

    async def delete(self, key: str) -> None:
        """The wrapped store's ``delete``, unless a fault raises or holds it first."""
        await self._faults.check("delete")
        await self.backend.delete(key)
