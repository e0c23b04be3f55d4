# What the actors of one browser tab share, and the one record of which of
# them run: the context each actor is handed instead of its session.
from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc

from .. import protocol
from ..protocol import VIEW_TARGET
from ..supervisor import ChildSpec, ChildTerminated, DynamicSupervisor, TaskGroup
from .componentactor import ComponentActor
from .faults import Faults
from .snapshots import Snapshots

if TYPE_CHECKING:
    from ..pubsub import PubSub
    from .actor import ActorRef
    from .component import LiveComponent
    from .loop import ActorRuntime
    from .outbox import Outbox
    from .registry import Registry

log = logging.getLogger("roost.actors")


class _Up:
    """The tab's components supervisor runs: kept instead of the event its start set."""


_UP = _Up()

COMPONENT_FAILED = "This part of the page failed to load."
COMPONENT_SHUTDOWN = 5.0
"""Seconds a component stopping with its session (not dropped by its parent) may
take to finish the messages it holds and run ``terminate`` before it is cancelled."""

Resolve = Callable[[str, str], "tuple[type[Any], dict[str, Any], str] | None"]
"""``resolve(to, current)``: the view routed at ``to`` (relative to the page's URL
``current``), its params and the whole URL; None off this site or unrouted."""


class Tab:
    """One tab's actors, as they see each other and the world.

    Every actor of the tab (its view, target ``"0"``, and each LiveComponent,
    by its id) has exactly one entry here, kept from its first start until it
    is stopped for good; its running incarnation's ref is ``ref(target)``
    (None while it restarts). Components are started, given props and
    stopped only through ``place_component`` / ``stop_component`` /
    ``send_update``, under the tab's components supervisor, which runs (from
    the first placement on) in the tab's task group with every actor's
    timers. ``outbox``, ``pubsub`` and ``names`` are shared by all of the
    tab's actors.
    """

    faults: Faults | None = None
    """Crash points a test armed (roost.testing); None (a class default: no
    memory per tab) in production."""
    session_id = ""
    """Its session's id, for telemetry and logs (set by the session)."""
    make_snapshots: Callable[[], Snapshots] | None = None
    """Makes where its actors that opt in (``persist``) keep their state (None:
    nowhere); called on the first use, so a tab whose actors keep nothing costs nothing."""
    _snapshots: Snapshots | None = None
    carried = False
    """Whether the session carries on one another process ran (its snapshots are
    in the shared store); a session begun here has none there to read."""
    patches_coming = False
    """Set when an actor of the tab hands another one a message (new props, a
    component's event for its parent): that actor's patch may follow the one
    being sent, and the two should share a frame. The socket then queues
    rather than writes at once, and clears it when it writes what it queued."""
    handoffs = 0
    """How many such messages (a component's event for its parent, new props
    that woke a component) are in an actor's mailbox, not yet taken: while
    none is, the patch of the actor that took the last may go out at once,
    with those queued before it, as one frame."""

    @property
    def snapshots(self) -> Snapshots | None:
        """Its snapshots, made on first use (None when the runtime keeps none)."""
        if self._snapshots is None and self.make_snapshots is not None:
            self._snapshots = self.make_snapshots()
        return self._snapshots

    @property
    def snapshots_made(self) -> Snapshots | None:
        """Its snapshots if an actor used them (never makes them)."""
        return self._snapshots

    _upload_dir: str | None = None  # made with the first upload (a class default: none)

    def __init__(
        self,
        outbox: Outbox,
        pubsub: PubSub,
        names: Registry,
        components: DynamicSupervisor,
    ) -> None:
        self.outbox = outbox
        self.pubsub = pubsub
        self.names = names
        self.components = components
        self._actors: dict[str, ActorRuntime] = {}
        self.served: dict[str, str] | None = None
        """Target -> fingerprint of what the dead-rendered page holds for it (a new
        session's, from its token): each actor's first render takes its entry."""
        self._tg: TaskGroup | None = None
        self._components_up: anyio.Event | _Up | None = None
        self.sign_flash: Callable[[dict[str, str]], str] | None = None
        """Signs flash messages for the page a redirect loads (None: they are lost)."""
        self.links: Callable[[str], str] | None = None
        """Puts the app's root-relative links in rendered HTML below its mount point
        (None: the app is at the root)."""
        self.href: Callable[[str], str] = lambda to: to
        """A path the app gave, as the browser must be sent it (below a mount point)."""
        self.resolve: Resolve | None = None
        """How the tab's URLs map to views, for live navigation (None: every
        navigation is a page load)."""

    # -- the tab's task group ------------------------------------------------------

    def bind(self, tg: TaskGroup) -> None:
        """Run the tab's timers and its components supervisor in ``tg`` (the view's
        incarnation: they end with it)."""
        self._tg = tg
        self._components_up = None

    def spawn(self, fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Start ``fn()`` as a task of the tab (an actor's timer)."""
        if self._tg is None:
            raise RuntimeError("the tab is not running")
        self._tg.start_soon(fn)

    async def _components_running(self) -> None:
        # Started with the first component placed: a page without any costs none.
        up = self._components_up
        if isinstance(up, _Up):
            return
        if up is None:
            self._components_up = up = anyio.Event()  # for placements meanwhile
            if self._tg is None:
                raise RuntimeError("the tab is not running")
            await self._tg.start(self.components.run)
            self._components_up = _UP  # no event kept for the tab's life
            up.set()
        else:
            await up.wait()

    # -- uploads' temporary files ------------------------------------------------

    def upload_dir(self) -> str:
        """The tab's directory for the files being uploaded (made at the first use,
        under the system's temporary directory, ``TMPDIR``)."""
        if self._upload_dir is None:
            self._upload_dir = tempfile.mkdtemp(prefix="roost-upload-")
        return self._upload_dir

    def remove_uploads(self) -> None:
        """Remove the upload directory and every file left in it (the session ended)."""
        path, self._upload_dir = self._upload_dir, None
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)

    # -- looking actors up -------------------------------------------------------

    def actor(self, target: str) -> ActorRuntime | None:
        """The runtime of the view or component ``target`` (render counts, state)."""
        return self._actors.get(target)

    def ref(self, target: str) -> ActorRef | None:
        """The running incarnation of ``target``, or None (not started, restarting, gone)."""
        actor = self._actors.get(target)
        return actor.ref if actor is not None else None

    def targets(self) -> list[str]:
        """Every actor's target id, the view's first, then components in placement order."""
        return list(self._actors)

    def is_current(self, actor: ActorRuntime) -> bool:
        """Whether ``actor`` is still the tab's actor for its target (not stopped for good)."""
        return self._actors.get(actor.target) is actor

    def add_view(self, view: ActorRuntime) -> None:
        self._actors[VIEW_TARGET] = view

    def forget_components(self) -> None:
        """The components supervisor restarted empty: the next renders place them anew."""
        for target in [t for t in self._actors if t != VIEW_TARGET]:
            del self._actors[target]

    # -- components, on behalf of the actor that places them ----------------------

    async def place_component(
        self, parent: str, cid: str, cls: type[LiveComponent], props: dict[str, Any]
    ) -> None:
        """Start component ``cid`` or give it ``props``; called after each parent render."""
        existing = self._actors.get(cid)
        if isinstance(existing, ComponentActor):
            if existing.cls is cls and existing.parent == parent:
                if existing.failed is None:
                    existing.give_props(props)
                    return
                if existing.props == props:
                    return  # it failed to mount with these props: not again on every render
            if existing.parent != parent:
                raise ValueError(f"component id {cid!r} is already used by {existing.parent!r}")
            await self.stop_component(cid)
        if cid == VIEW_TARGET:
            raise ValueError(f"component id {cid!r} is reserved for the view")
        await self._components_running()
        component = ComponentActor(self, cid, cls, props, parent)
        self._actors[cid] = component
        try:
            # Stopped gracefully with its session (it finishes what it holds);
            # cancelled at once when its parent stops placing it (stop_component).
            spec = ChildSpec(cid, component.run, restart="permanent", shutdown=COMPONENT_SHUTDOWN)
            await self.components.start_child(spec)
        except ChildTerminated:
            pass  # stopped before it started: nothing failed
        except Exception as exc:
            # Its own failure, not its parent's: the parent keeps running and
            # the component's place on the page shows that it failed.
            component.failed = exc
            log.error(
                "component %r (%s, placed by %r) failed to mount",
                cid,
                cls.__qualname__,
                parent,
                exc_info=exc,
            )
            await self.outbox.put(protocol.Crash(cid, COMPONENT_FAILED))

    async def stop_component(self, cid: str) -> None:
        """Stop component ``cid`` (and the components it placed): its ``unmount`` runs."""
        component = self._actors.get(cid)
        if not isinstance(component, ComponentActor):
            return
        del self._actors[cid]
        for child in list(component.children):
            await self.stop_component(child)
        if component.failed is None:
            # Its `unmount` and `terminate` still run: a parent's render never
            # waits on a busy component it dropped.
            component.stop_at_once()
            await self.components.terminate_child(cid)

    async def stop_components(self) -> None:
        """Stop every component gracefully, at once (each finishes the messages it
        holds and runs ``terminate``, or is cancelled at ``COMPONENT_SHUTDOWN``)."""
        if self.components.running:
            await self.components.stop()

    def send_update(self, cid: str, props: dict[str, Any]) -> None:
        """Merge ``props`` into component ``cid``'s (``send_update``); never waits."""
        component = self._actors.get(cid)
        if not isinstance(component, ComponentActor):
            log.warning("send_update: no component %r", cid)
            return
        component.give_props(props, merge=True)
