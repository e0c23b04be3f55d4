# Crashes a test did not ask for: every supervision event of a client's tab
# is watched, and an actor's crash that no fault injected fails the test.
from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..actors import InjectedCrash
from ..protocol import VIEW_TARGET
from ..supervisor import Killed, RestartIntensityExceeded, SupervisorEvent
from ..supervisor import events as supervision

AllowCrashes = bool | Iterable[str]
"""``allow_crashes``: True (any actor may crash), or the targets that may."""


class UnexpectedCrash(AssertionError):
    """An actor of the tab crashed and the test did not inject it (nor allow it)."""


@dataclass(frozen=True)
class CrashReport:
    """One crash: the actor's target, its supervisor, the exception."""

    target: str
    supervisor: str
    exception: BaseException

    def describe(self) -> str:
        stack = "".join(traceback.format_exception(self.exception)).rstrip()
        return (
            f"actor {self.target!r} (under {self.supervisor!r}) crashed: "
            f"{type(self.exception).__name__}: {self.exception}\n{stack}"
        )


def injected(exc: BaseException) -> bool:
    """Whether a fault injection caused ``exc`` (a crash, a crash point, a kill)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, InjectedCrash | Killed):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class CrashWatch:
    """The supervision events of one client's tab (its sessions, as it rejoins).

    Keeps every event (:attr:`events`) and the crashes no fault injected, no
    ``allow_crashes`` allowed and no ``expect_error`` call saw as its reply
    (:meth:`expect`): :meth:`check` raises :class:`UnexpectedCrash` for them.
    """

    def __init__(self, allow: AllowCrashes = False) -> None:
        self.allow_setting = allow
        """``allow_crashes`` as given (a client opened from this one takes it over)."""
        self.allow_all = allow is True
        self.allowed: frozenset[str] = (
            frozenset() if isinstance(allow, bool) else frozenset(str(t) for t in allow)
        )
        self.events: list[SupervisorEvent] = []
        self.crashes: list[CrashReport] = []
        """Every crash of an actor of the tab, injected or not, in order."""
        self._supervisors: set[str] = set()
        self._expected: Counter[str] = Counter()
        self._unexpected: list[CrashReport] = []
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        self._unsubscribe = supervision.subscribe(self)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def session(self, session_id: str) -> None:
        """Watch the actors of session ``session_id`` too (a join or rejoin)."""
        self._supervisors |= {f"sessions/{session_id}", f"sessions/{session_id}/view/components"}

    def __call__(self, event: SupervisorEvent) -> None:
        if event.supervisor not in self._supervisors:
            return
        self.events.append(event)
        exc = event.exception
        if event.kind not in ("exited", "start_failed") or exc is None:
            return
        target = VIEW_TARGET if event.child == "view" else str(event.child)
        report = CrashReport(target, event.supervisor, exc)
        self.crashes.append(report)
        # An escalation (a supervisor that gave up) follows crashes judged already.
        escalated = isinstance(exc, RestartIntensityExceeded)
        if escalated or injected(exc) or self.allow_all or target in self.allowed:
            return
        if self._expected[target] > 0:
            self._expected[target] -= 1
            return
        self._unexpected.append(report)

    def expect(self, target: str) -> None:
        """A test's call got ``crashed`` for ``target`` as the reply it expected:
        that actor's next crash (seen already or still to come) is no surprise."""
        for i, report in enumerate(self._unexpected):
            if report.target == target:
                del self._unexpected[i]
                return
        self._expected[target] += 1

    def restarts(self, target: str | None = None) -> int:
        """How many times the tab's actors (or ``target``) were restarted."""
        return sum(
            1
            for e in self.events
            if e.kind == "restarted"
            and (target is None or (VIEW_TARGET if e.child == "view" else str(e.child)) == target)
        )

    def check(self) -> None:
        """Raise :class:`UnexpectedCrash` for the crashes not accounted for (once)."""
        if not self._unexpected:
            return
        found, self._unexpected = self._unexpected, []
        lines = "\n\n".join(report.describe() for report in found)
        raise UnexpectedCrash(
            f"{len(found)} actor crash(es) the test did not inject:\n\n{lines}\n\n"
            "Inject faults with LiveClient.crash/kill/crash_at, expect a handler's "
            "crash with event(..., expect_error=True), or pass allow_crashes=True "
            "(or the targets that may crash) to LiveClient.mount/connect."
        )
