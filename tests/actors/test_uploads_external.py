"""Uploads straight to storage (``external=``), in process: the view presigns each
accepted file, the tab's uploader stores it and reports progress, the view
consumes the entries with their meta; no byte goes over the socket."""

from __future__ import annotations

import pytest

from roost import protocol
from roost.testing import EventError, LiveClient
from tests.apps.storing import STORED, app


async def report(view: LiveClient, entry: str, loaded: int) -> None:
    """A Progress frame as a page would send it (its reply: an EventError when refused)."""
    ref = next(view._refs)
    await view._send(protocol.Progress(ref, entry, loaded, "0"))
    reply = await view._reply(ref, "progress")
    if isinstance(reply, protocol.Error):
        raise EventError("progress", "0", reply)


def sent(view: LiveClient, tag: int) -> list[str]:
    return [f.text for f in view.frames if f.sent and f.text.startswith(f"[{tag},")]


async def test_an_external_upload_goes_to_storage_with_progress_and_is_consumed_with_its_meta():
    stored = []

    def uploader(meta, name, content):
        STORED[meta["key"]] = content
        stored.append((meta["uploader"], meta["url"], name))
        return [len(content) // 2, len(content)]  # the progress the page reports

    async with LiveClient.mount(app) as view:
        (ref,) = await view.upload("#file", ("cat.png", b"p" * 1000), external=uploader)
        assert stored and stored[0][0] == "Put" and stored[0][1].startswith("/storage/")
        assert view.text(f"#entry-{ref} .progress") == "100"
        assert sent(view, protocol.Chunk.__struct_config__.tag) == []  # nothing via the socket
        assert len(sent(view, protocol.Progress.__struct_config__.tag)) == 2
        await view.submit("#form")
        assert view.text("#saved li") == "cat.png 1000"
        assert not view.exists(".entry")


async def test_a_refused_file_is_never_presigned():
    async with LiveClient.mount(app, "/?max=10") as view:
        refs = await view.upload(
            "#file", ("big.png", b"x" * 11), external=lambda meta, name, content: None
        )
        assert refs == [None]
        assert view.text(".entry .error") == "too_large"


async def test_progress_for_an_entry_that_is_not_external_or_going_backwards_is_refused():
    async with LiveClient.mount(app) as view:
        (ref,) = await view.upload(
            "#file", ("a.txt", b"abcd"), external=lambda meta, name, content: [2]
        )
        assert view.text(f"#entry-{ref} .progress") == "50"
        with pytest.raises(EventError) as refused:
            await report(view, ref, 1)  # backwards
        assert refused.value.code == protocol.BAD_PARAMS
        with pytest.raises(EventError) as unknown:
            await report(view, "nope", 1)
        assert unknown.value.code == protocol.NO_UPLOAD
        await report(view, ref, 4)
        assert view.text(f"#entry-{ref} .progress") == "100"


async def test_an_external_upload_needs_an_uploader_in_the_test_too():
    async with LiveClient.mount(app) as view:
        with pytest.raises(AssertionError, match="external"):
            await view.upload("#file", ("a.txt", b"abcd"))
