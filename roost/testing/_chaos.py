# Chaos: kill random actors of a tab (or of a whole runtime) at a steady rate,
# reproducibly by seed, and say what was killed when the test fails.
from __future__ import annotations

import random
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio

from ..actors import Session
from ..server import Runtime
from ..supervisor import Killed
from ._taskgroup import task_group

if TYPE_CHECKING:
    from ._client import LiveClient


@dataclass
class Chaos:
    """One chaos run: its ``seed`` and ``rate``, and every kill (``kills``:
    seconds since the start on Trio's clock, session id, target)."""

    seed: int
    rate: float
    kills: list[tuple[float, str, str]] = field(default_factory=list)

    def describe(self) -> str:
        """The seed, how to reproduce, and each kill in order."""
        lines = [
            f"roost chaos: seed {self.seed} (reproduce with seed={self.seed}, or "
            f"--roost-chaos-seed={self.seed}), {self.rate:g} kills/s, {len(self.kills)} kills"
        ]
        lines += [f"  t={t:.3f}s session {sid} actor {target!r}" for t, sid, target in self.kills]
        return "\n".join(lines)


@asynccontextmanager
async def chaos(
    victim: LiveClient | Runtime, rate: float = 10.0, seed: int | None = None
) -> AsyncIterator[Chaos]:
    """Inside the block, kill a random running actor ``rate`` times a second.

    ``victim`` is a :class:`LiveClient` (its tab's view and components) or a
    ``Runtime`` (every actor of every session; the app's own services and the
    pubsub and store backends are not actors and are left alone). Each kill is
    ``LiveClient.kill``'s: the actor's task is cancelled where it is and its
    supervisor restarts it (so kills count toward restart intensity). The
    times (on Trio's clock, so ``autojump_clock`` runs 20 s at once) and the
    choices follow from ``seed`` (random when None): the same seed, the same
    test, the same kills. When the block fails, the exception carries a note
    with the seed and every kill, also printed to stderr; ``Chaos.kills``
    lists them either way. Killed actors are injected faults: they do not
    count as unexpected crashes.
    """
    if rate <= 0:
        raise ValueError("rate must be positive (kills per second)")
    run = Chaos(seed if seed is not None else random.randrange(2**32), rate)
    rng = random.Random(run.seed)
    start = anyio.current_time()

    def sessions() -> list[Session]:
        if isinstance(victim, Runtime):
            return victim.live_sessions()
        try:
            return [victim._link.live_session()]
        except LookupError:
            return []

    async def kill_at_rate() -> None:
        while True:
            await anyio.sleep(1 / rate)
            running = [
                (session, target)
                for session in sessions()
                for target in session.tab.targets()
                if session.tab.ref(target) is not None
            ]
            if not running:
                continue
            session, target = rng.choice(running)
            try:
                session.kill(target, Killed(f"{target!r} killed by chaos (seed {run.seed})"))
            except LookupError:
                continue  # it stopped meanwhile
            run.kills.append((anyio.current_time() - start, session.id, target))

    try:
        async with task_group() as tg:  # cancelled (the kills stop) when the block ends
            tg.start_soon(kill_at_rate)
            yield run
    except BaseException as exc:
        if not isinstance(exc, anyio.get_cancelled_exc_class()):
            note = run.describe()
            exc.add_note(note)
            print(note, file=sys.stderr)
        raise
