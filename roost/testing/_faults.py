# Fault injection: make a running actor fail inside its own task, through its
# mailbox, exactly as if its own code had raised while handling a message.
from __future__ import annotations

from ..actors import ActorRef, Crash, MailboxClosed


async def crash_actor(ref: ActorRef, reason: str) -> None:
    """Queue a ``Crash`` behind what ``ref``'s mailbox holds already.

    The actor raises ``InjectedCrash(reason)`` when it handles it, and its
    supervisor treats that like any failure (restart, intensity, escalation).
    ``LookupError`` if that incarnation has stopped (it is restarting).
    """
    try:
        await ref.send_wait(Crash(reason))
    except MailboxClosed:
        raise LookupError(f"actor {ref.name!r} is not running (it may be restarting)") from None
