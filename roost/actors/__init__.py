"""Actors: mailboxes, refs, and the LiveView runtime on top of them."""

from .actor import ActorRef as ActorRef
from .actor import CallTimeout as CallTimeout
from .handlers import event as event
from .liveview import LiveView as LiveView
from .mailbox import Mailbox as Mailbox
from .mailbox import MailboxClosed as MailboxClosed
from .mailbox import MailboxFull as MailboxFull
from .session import Session as Session
