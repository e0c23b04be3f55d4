"""Actors: mailboxes, refs, LiveView / LiveComponent / Component, sessions.

This is the actors layer's one face: ``roost.server`` and ``roost.testing``
import from here and nowhere deeper.
"""

from .actor import NORMAL as NORMAL
from .actor import ActorExited as ActorExited
from .actor import ActorRef as ActorRef
from .actor import CallTimeout as CallTimeout
from .asyncwork import AsyncResult as AsyncResult
from .checks import ViewProblem as ViewProblem
from .checks import check_view as check_view
from .component import Component as Component
from .component import LiveComponent as LiveComponent
from .component import template_classes as template_classes
from .dead import DeadPage as DeadPage
from .dead import dead_page as dead_page
from .dead import dead_render as dead_render
from .faults import POINTS as POINTS
from .faults import Faults as Faults
from .faults import Filler as Filler
from .faults import Point as Point
from .handlers import event as event
from .handlers import on_component as on_component
from .liveview import LiveView as LiveView
from .loop import call_on_each_batch as call_on_each_batch
from .mailbox import Mailbox as Mailbox
from .mailbox import MailboxClosed as MailboxClosed
from .mailbox import MailboxFull as MailboxFull
from .messages import Crash as Crash
from .messages import Down as Down
from .messages import Exit as Exit
from .messages import InjectedCrash as InjectedCrash
from .messages import LinkedExit as LinkedExit
from .messages import Rerender as Rerender
from .outbox import SessionEnded as SessionEnded
from .outbox import Transport as Transport
from .registry import AlreadyRegistered as AlreadyRegistered
from .registry import Registry as Registry
from .scope import live_component as live_component
from .session import Kick as Kick
from .session import Session as Session
from .snapshots import RECORD as RECORD
from .snapshots import SNAPSHOT_LIMIT as SNAPSHOT_LIMIT
from .snapshots import Snapshots as Snapshots
from .snapshots import SnapshotTooLarge as SnapshotTooLarge
from .snapshots import key_hash as key_hash
from .uploads import UploadConfig as UploadConfig
from .uploads import UploadEntry as UploadEntry
