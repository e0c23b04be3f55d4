# The actor that runs one LiveView: mount, then handle batches of messages,
# render once per batch when assigns changed, and put the patch in the outbox.
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import anyio.abc

from .. import protocol
from ..render import Differ
from .actor import ActorRef, Call
from .handlers import BadParams, maybe_await
from .liveview import LiveView
from .mailbox import Mailbox
from .messages import ClientEvent, Info, Resync
from .outbox import Outbox


class LiveActor:
    """Runs a ``LiveView`` class as target ``target`` of one session.

    Each ``run`` is one incarnation: a fresh view instance, mounted anew, its
    full render sent to the client. ``registry`` maps targets to the running
    incarnations' refs, so the session routes events to the current one.
    """

    def __init__(
        self,
        view_class: type[LiveView],
        target: str,
        params: dict[str, str],
        session: dict[str, Any],
        outbox: Outbox,
        registry: dict[str, ActorRef],
    ) -> None:
        self.view_class = view_class
        self.target = target
        self.params = params
        self.session = session
        self.outbox = outbox
        self.registry = registry
        self.renders = 0
        self._tg: anyio.abc.TaskGroup | None = None
        self._mailbox: Mailbox | None = None

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[ActorRef] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        view = self.view_class()
        object.__setattr__(view, "_actor", self)
        mailbox = self._mailbox = Mailbox(self.view_class.mailbox_size)
        ref = ActorRef(self.target, mailbox)
        reason: BaseException | None = None
        try:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                await maybe_await(view.mount(self.params, self.session))
                html = self._render(view)
                differ = Differ(html)
                version = 1
                await self.outbox.put(protocol.Render(self.target, version, html))
                self.registry[self.target] = ref
                task_status.started(ref)
                while True:
                    batch = [await mailbox.get(), *mailbox.get_ready()]
                    acks: list[int] = []
                    for message in batch:
                        await self._handle(view, message, acks)
                        if isinstance(message, Resync):
                            await self.outbox.put(protocol.Render(self.target, version, html))
                    if view._tracker.changed(view.__dict__):
                        html = self._render(view)
                        ops = differ.update(html)
                        if ops:
                            version += 1
                            await self.outbox.put(protocol.Patch(self.target, version, ops))
                    for ack in acks:
                        await self.outbox.put(protocol.Ack(ack))
        except BaseException as exc:
            reason = exc if not isinstance(exc, anyio.get_cancelled_exc_class()) else None
            raise
        finally:
            if self.registry.get(self.target) is ref:
                del self.registry[self.target]
            mailbox.close()
            self._tg = None
            with anyio.CancelScope(shield=True):
                await maybe_await(view.terminate(reason))

    def _render(self, view: LiveView) -> str:
        html = view.render()
        self.renders += 1
        view._tracker.reset(view.__dict__)
        return html

    async def _handle(self, view: LiveView, message: Any, acks: list[int]) -> None:
        if isinstance(message, ClientEvent):
            handler = view.__roost_handlers__.get(message.name)
            if handler is None:
                await self.outbox.put(
                    protocol.Error(
                        message.ref,
                        protocol.UNKNOWN_EVENT,
                        f"{type(view).__name__} has no event handler {message.name!r}",
                    )
                )
                return
            try:
                kwargs = handler.validate(message.params)
            except BadParams as exc:
                await self.outbox.put(protocol.Error(message.ref, protocol.BAD_PARAMS, str(exc)))
                return
            try:
                await maybe_await(getattr(view, handler.method)(**kwargs))
            except Exception as exc:
                await self.outbox.put(
                    protocol.Error(
                        message.ref, "crashed", f"{type(exc).__name__} in {message.name}"
                    )
                )
                raise
            acks.append(message.ref)
        elif isinstance(message, Info):
            await maybe_await(view.handle_info(message.message))
        elif isinstance(message, Call):
            message.reply(await maybe_await(view.handle_call(message.request)))  # type: ignore[attr-defined]
        elif isinstance(message, Resync):
            acks.append(message.ref)

    def send_after(self, delay: float, message: Any) -> Callable[[], None]:
        """Deliver ``Info(message)`` after ``delay`` seconds; returns a cancel function."""
        if self._tg is None or self._mailbox is None:
            raise RuntimeError("send_after needs a running view")
        mailbox = self._mailbox
        scope = anyio.CancelScope()

        async def timer() -> None:
            with scope:
                await anyio.sleep(delay if delay > 0 else 0)
                await mailbox.put(Info(message))

        self._tg.start_soon(timer)
        return scope.cancel


__all__ = ["LiveActor"]
