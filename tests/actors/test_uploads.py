"""Uploads in process, with LiveClient.upload doing what the browser does: files
checked before any byte is sent, chunks written to a temporary file with progress,
cancel, consume, and no file left behind."""

from __future__ import annotations

import hashlib
import os

import anyio
import pytest

from roost import protocol
from roost.testing import EventError, LiveClient
from tests.apps.uploading import app

from .conftest import session_of


def upload_files(view: LiveClient) -> list[str]:
    """The temporary files the tab holds now."""
    directory = session_of(view).tab._upload_dir
    return sorted(os.listdir(directory)) if directory else []


def sent(view: LiveClient, tag: int) -> list[str]:
    return [f.text for f in view.frames if f.sent and f.text.startswith(f"[{tag},")]


async def test_a_file_arrives_in_chunks_with_progress_and_is_consumed(tmp_path):
    content = os.urandom(100_000)
    path = tmp_path / "data.bin"
    path.write_bytes(content)
    async with LiveClient.mount(app, "/?chunk=30000") as view:
        (ref,) = await view.upload("#file", path)
        assert len(sent(view, protocol.Chunk.__struct_config__.tag)) == 4  # 30+30+30+10 KB
        assert view.text(f"#entry-{ref} .progress") == "100"
        assert view.text("#progressed") == "4"  # handle_upload_progress per chunk
        assert upload_files(view) == [ref]
        await view.submit("#form")
        digest = hashlib.sha256(content).hexdigest()
        assert view.text("#saved li") == f"data.bin 100000 {digest}"
        assert not view.exists(".entry")
        assert upload_files(view) == []  # consumed: removed


async def test_too_large_wrong_type_and_too_many_are_refused_before_any_byte(tmp_path):
    async with LiveClient.mount(app, "/?max=1000") as view:
        refs = await view.upload("#file", ("big.bin", b"x" * 1001), ("a.exe", b"x"))
        assert refs == [None, None]
        assert [e.text() for e in view._page.select(".entry .error")] == [
            "too_large",
            "not_accepted",
        ]
        refs = await view.upload("#file", ("a.txt", b"1"), ("b.txt", b"2"), ("c.txt", b"3"))
        assert refs == [None, None, None]
        assert view.text(".upload-error") == "too_many_files"
        assert not view.exists(".entry")
        assert sent(view, protocol.Chunk.__struct_config__.tag) == []
        assert upload_files(view) == []


async def test_a_cancel_half_way_removes_the_file_and_refuses_further_chunks():
    async with LiveClient.mount(app, "/?chunk=1000") as view:
        (ref,) = await view.upload("#file", ("a.bin", b"y" * 5000), chunks=2)
        assert view.text(f"#entry-{ref} .progress") == "40"
        assert upload_files(view) == [ref]
        await view.click(f"#entry-{ref} .cancel")
        assert not view.exists(".entry")
        assert upload_files(view) == []
        chunk = protocol.Chunk(999, ref, 2000, "eXl5")
        await view._send(chunk)
        reply = await view._reply(999, "a chunk after the cancel")
        assert isinstance(reply, protocol.Error) and reply.code == protocol.NO_UPLOAD


async def test_chunks_out_of_order_or_too_big_are_refused():
    async with LiveClient.mount(app, "/?chunk=1000") as view:
        (ref,) = await view.upload("#file", ("a.bin", b"y" * 5000), chunks=0)
        for i, (offset, data) in enumerate([(1000, "eXl5"), (0, "e" * 1400), (0, "!!")]):
            await view._send(protocol.Chunk(900 + i, ref, offset, data))
            reply = await view._reply(900 + i, "a bad chunk")
            assert isinstance(reply, protocol.Error)
        assert view.text(f"#entry-{ref} .progress") == "0"


async def test_an_unknown_upload_is_refused():
    async with LiveClient.mount(app) as view:
        view._one("#file").attrs["roost-upload"] = "nope"
        with pytest.raises(EventError) as caught:
            await view.upload("#file", ("a.txt", b"1"))
        assert caught.value.code == protocol.BAD_PARAMS


async def test_files_left_over_are_removed_when_the_session_ends():
    async with LiveClient.mount(app, "/?chunk=1000") as view:
        (ref,) = await view.upload("#file", ("a.bin", b"z" * 3000), chunks=1)
        directory = session_of(view).tab._upload_dir
        assert directory is not None and os.listdir(directory) == [ref]
    assert not await anyio.Path(directory).exists()


def test_chunk_size_is_bounded_by_the_frame_limit():
    from roost import LiveView

    view = LiveView()
    with pytest.raises(ValueError):
        view.allow_upload("x", chunk_size=protocol.MAX_CHUNK_BYTES + 1)
    text = protocol.encode(
        protocol.Chunk(2**31, "f" * 16, 2**50, "A" * (protocol.MAX_CHUNK_BYTES * 4 // 3))
    )
    assert len(text) < protocol.MAX_FRAME_BYTES


async def test_with_auto_upload_off_the_bytes_go_on_submit_before_the_submit_event():
    async with LiveClient.mount(app, "/?auto=0&chunk=4000") as view:
        (ref,) = await view.upload("#file", ("later.txt", b"y" * 10_000))
        chunk_tag = protocol.Chunk.__struct_config__.tag
        assert sent(view, chunk_tag) == []  # checked, not sent
        assert view.text(f"#entry-{ref} .progress") == "0"
        await view.submit("#form")
        assert len(sent(view, chunk_tag)) == 3
        assert view.text("#saved li").startswith("later.txt 10000 ")
        # The submit event went after the last chunk was answered.
        texts = [f.text for f in view.frames if f.sent]
        last_chunk = max(i for i, t in enumerate(texts) if t.startswith(f"[{chunk_tag},"))
        event_tag = protocol.Event.__struct_config__.tag
        assert texts[-1].startswith(f"[{event_tag},") and len(texts) - 1 > last_chunk
        assert upload_files(view) == []


async def test_a_new_choice_replaces_one_held_back_for_submit():
    async with LiveClient.mount(app, "/?auto=0") as view:
        await view.upload("#file", ("first.txt", b"1"))
        await view.upload("#file", ("second.txt", b"22"))
        await view.submit("#form")
        (saved,) = view._page.select("#saved li")
        assert saved.text().startswith("second.txt 2 ")


async def test_files_dropped_on_a_drop_target_go_to_its_upload():
    async with LiveClient.mount(app) as view:
        (ref,) = await view.drop("#drop", ("dropped.txt", b"abc"))
        assert view.text(f"#entry-{ref} .progress") == "100"
        refs = await view.drop("#note-drop", ("a.txt", b"note a"), ("b.txt", b"x" * 10_001))
        assert refs[0] is not None and refs[1] is None  # too large, refused before sending
        assert [e.text() for e in view._page.select(".note-entry")] == [
            "a.txt 100",
            "b.txt 0 too_large",
        ]
        await view.click("#keep")
        assert view.text("#notes li") == "a.txt: note a"
        await view.submit("#form")
        assert view.text("#saved li").startswith("dropped.txt 3 ")
