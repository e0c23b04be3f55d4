"""Actors: mailboxes, refs, LiveView / LiveComponent / Component, sessions."""

from .actor import ActorRef as ActorRef
from .actor import CallTimeout as CallTimeout
from .component import Component as Component
from .component import LiveComponent as LiveComponent
from .handlers import event as event
from .handlers import on_component as on_component
from .liveview import LiveView as LiveView
from .mailbox import Mailbox as Mailbox
from .mailbox import MailboxClosed as MailboxClosed
from .mailbox import MailboxFull as MailboxFull
from .session import Session as Session
