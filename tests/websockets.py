"""trio-websocket's ``open_websocket_url``, with its TCP stream always closed.

trio-websocket 0.12 leaves a client's TCP stream open when the server closed
the WebSocket first: ``aclose()`` returns at once once a close reason is known,
and the reader stops at EOF without closing the stream. The socket is then
left to the garbage collector, whose ResourceWarning (an error here:
``filterwarnings = error``) fails whichever test happens to be running then.
roost.testing's own client closes its stream itself (roost/testing/_socket.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import trio
import trio_websocket


@asynccontextmanager
async def open_websocket_url(
    url: str, **kwargs: Any
) -> AsyncIterator[trio_websocket.WebSocketConnection]:
    stream = None
    try:
        async with trio_websocket.open_websocket_url(url, **kwargs) as ws:
            stream = ws._stream
            yield ws
    finally:
        if stream is not None:
            with trio.CancelScope(shield=True):
                await stream.aclose()
