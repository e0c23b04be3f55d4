"""Uploads in Chromium: a 20 MB file in chunks with progress, a too-large file
refused before any byte is sent, a cancel half-way, no file left on disk, and
the server's memory flat while the file goes through."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.serve import roost_run

from .conftest import wait_joined

MB = 1024 * 1024


@pytest.fixture
def upload_tmp(tmp_path, monkeypatch) -> Path:
    """The server's TMPDIR: where its upload directories are made."""
    directory = tmp_path / "server-tmp"
    directory.mkdir()
    monkeypatch.setenv("TMPDIR", str(directory))
    return directory


def leftover(directory: Path) -> list[str]:
    """Every file under ``directory`` (the upload directories' contents)."""
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def memory(pid: int) -> dict[str, int]:
    """The process's VmRSS and VmHWM (peak RSS), in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


def sent_chunks(page) -> int:
    return page.evaluate("() => window.chunksSent")


COUNT_CHUNKS = """() => {
  const socket = window.Roost.socket;
  const push = socket.push.bind(socket);
  window.chunksSent = 0;
  window.held = [];
  socket.push = (message) => {
    if (message[0] !== 7) return push(message);
    window.chunksSent++;
    if (window.chunkBudget !== undefined && window.chunksSent > window.chunkBudget) {
      window.held.push(() => push(message));  // held back: its request waits
      return;
    }
    push(message);
  };
}"""


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_joined(page)
    page.evaluate(COUNT_CHUNKS)


def test_a_20_mb_file_arrives_in_chunks_with_progress_and_memory_stays_flat(
    page, tmp_path, upload_tmp
):
    small = tmp_path / "warm.txt"
    small.write_bytes(b"warm up" * 1000)
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        for _ in range(20):
            f.write(os.urandom(MB))
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    with roost_run("tests.apps.uploading:app") as served:
        open_page(page, served.url + "/")
        # A small one first, so that what the first upload loads is loaded.
        page.set_input_files("#file", str(small))
        page.wait_for_selector(".entry .progress:text-is('100')")
        page.click("#save")
        page.wait_for_selector("#saved li")
        before = memory(served.process.pid)

        progress: list[int] = []
        page.expose_function("seen", lambda loaded: progress.append(loaded))
        page.evaluate(
            "() => document.querySelector('#file').addEventListener("
            "'roost:upload-progress', (e) => window.seen(e.detail.loaded))"
        )
        page.set_input_files("#file", str(big))
        page.wait_for_selector(".entry .progress:text-is('100')", timeout=120_000)
        after = memory(served.process.pid)
        files = leftover(upload_tmp)
        assert len(files) == 1  # the finished entry, waiting to be consumed
        assert (upload_tmp / files[0]).stat().st_size == 20 * MB

        page.click("#save")
        page.wait_for_selector("#saved li:nth-child(2)")
        assert page.text_content("#saved li:nth-child(2)") == f"big.bin {20 * MB} {digest}"
        assert leftover(upload_tmp) == []
        chunks = -(-20 * MB // 45_000)
        assert sent_chunks(page) - 1 >= chunks  # a rate-limited chunk is sent again
        assert progress[-1] == 20 * MB and progress == sorted(progress)
        assert len(progress) == chunks
        # The server held a chunk at a time, never the file: its peak RSS while
        # 20 MB went through grew by far less than 20 MB.
        assert after["VmHWM"] - before["VmRSS"] < 10 * MB, (before, after)


def test_a_too_large_file_is_refused_before_any_byte_is_sent(page, tmp_path, upload_tmp):
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 200_001)
    with roost_run("tests.apps.uploading:app") as served:
        open_page(page, served.url + "/?max=200000")
        page.set_input_files("#file", str(big))
        page.wait_for_selector(".entry .error:text-is('too_large')")
        assert page.text_content(".entry .name") == "big.bin"
        assert sent_chunks(page) == 0
        assert leftover(upload_tmp) == []


def test_a_cancel_half_way_stops_the_upload_and_removes_the_file(page, tmp_path, upload_tmp):
    path = tmp_path / "half.bin"
    path.write_bytes(os.urandom(1_000_000))
    with roost_run("tests.apps.uploading:app") as served:
        open_page(page, served.url + "/?chunk=10000")
        page.evaluate("() => { window.chunkBudget = 30; }")
        page.set_input_files("#file", str(path))
        page.wait_for_selector(".entry .progress:text-is('30')")
        page.wait_for_function("() => window.held.length === 1")
        (partial,) = leftover(upload_tmp)
        assert (upload_tmp / partial).stat().st_size == 300_000
        page.click(".entry .cancel")
        page.wait_for_selector(".entry", state="detached")
        assert leftover(upload_tmp) == []
        # The chunk held back goes now: refused (no_upload), the client stops.
        page.evaluate("() => window.held.pop()()")
        page.wait_for_function("() => window.Roost.uploads.running.size === 0")
        assert sent_chunks(page) == 31
        assert leftover(upload_tmp) == []
        served.stop()
    assert leftover(upload_tmp) == []
    assert list(upload_tmp.iterdir()) == []  # the session's directory too


def data_transfer(page, *files: tuple[str, str]):
    """A DataTransfer holding text files, as a drag from the desktop carries them."""
    return page.evaluate_handle(
        """(files) => {
          const dt = new DataTransfer();
          for (const [name, text] of files) {
            dt.items.add(new File([text], name, { type: "text/plain" }));
          }
          return dt;
        }""",
        [list(f) for f in files],
    )


def test_files_dropped_on_a_drop_target_upload_through_its_input(page, upload_tmp):
    with roost_run("tests.apps.uploading:app") as served:
        open_page(page, served.url + "/")
        dropped = data_transfer(page, ("dropped.txt", "dropped on the zone"))
        page.dispatch_event("#drop", "dragenter", {"dataTransfer": dropped})
        page.dispatch_event("#drop", "dragover", {"dataTransfer": dropped})
        assert "roost-drop-target-active" in page.get_attribute("#drop", "class")
        page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
        assert "roost-drop-target-active" not in (page.get_attribute("#drop", "class") or "")
        page.wait_for_selector(".entry .progress:text-is('100')")
        assert page.text_content(".entry .name") == "dropped.txt"
        # The files went into the upload's own input, as a choice would put them.
        assert page.evaluate("() => document.querySelector('#file').files[0].name") == "dropped.txt"
        page.click("#save")
        page.wait_for_selector("#saved li")
        assert page.text_content("#saved li").startswith("dropped.txt 19 ")
        assert leftover(upload_tmp) == []


def test_files_dropped_on_a_target_without_an_input_go_straight_to_its_upload(page, upload_tmp):
    with roost_run("tests.apps.uploading:app") as served:
        open_page(page, served.url + "/")
        dropped = data_transfer(page, ("a.txt", "note a"), ("b.txt", "note b"))
        page.dispatch_event("#note-drop", "drop", {"dataTransfer": dropped})
        page.wait_for_function(
            "() => [...document.querySelectorAll('.note-entry')].map((e) => e.textContent)"
            ".join('|') === 'a.txt 100|b.txt 100'"
        )
        page.click("#keep")
        page.wait_for_selector("#notes li:nth-child(2)")
        assert page.locator("#notes li").all_text_contents() == ["a.txt: note a", "b.txt: note b"]


def test_with_auto_upload_off_the_bytes_go_when_the_form_is_submitted(page, tmp_path, upload_tmp):
    path = tmp_path / "later.bin"
    path.write_bytes(os.urandom(100_000))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with roost_run("tests.apps.uploading:app") as served:
        open_page(page, served.url + "/?auto=0&chunk=20000")
        page.set_input_files("#file", str(path))
        page.wait_for_selector(".entry .name:text-is('later.bin')")
        assert page.text_content(".entry .progress") == "0"
        assert sent_chunks(page) == 0  # checked, held back
        page.click("#save")
        page.wait_for_selector("#saved li")
        assert page.text_content("#saved li") == f"later.bin 100000 {digest}"
        assert sent_chunks(page) >= 5
        assert leftover(upload_tmp) == []


def test_an_external_upload_goes_to_storage_through_the_pages_uploader(page, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"n" * 300_000)
    with roost_run("tests.apps.storing:app") as served:
        open_page(page, served.url + "/")
        seen: list[int] = []
        page.expose_function("seen", lambda loaded: seen.append(loaded))
        page.evaluate(
            "() => document.querySelector('#file').addEventListener("
            "'roost:upload-progress', (e) => window.seen(e.detail.loaded))"
        )
        page.set_input_files("#file", str(path))
        page.wait_for_selector(".entry .progress:text-is('100')")
        assert sent_chunks(page) == 0  # no byte over the socket
        assert seen[-1] == 300_000 and seen == sorted(seen)
        page.click("#save")
        page.wait_for_selector("#saved li")
        assert page.text_content("#saved li") == "notes.txt 300000"  # read back from storage
