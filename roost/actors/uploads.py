# File uploads (``allow_upload``): each upload's config and entries as the
# template sees them, and the checks and writes of what a tab sends, chunk by chunk.
"""Uploads: what a view allows, and what happens to the files a tab sends.

``allow_upload("avatar", accept=(".png",), max_entries=1, max_file_size=8_000_000)``
in ``mount`` sets ``uploads.avatar`` (an :class:`UploadConfig`) in the
``uploads`` assign; a file input ``roost-upload="avatar"`` is bound to it.
When files are chosen the client first sends only their names, sizes and
types (``protocol.Upload``): each becomes an :class:`UploadEntry`, refused
(its ``errors``: ``too_large``, ``not_accepted``; the config's own:
``too_many_files``) before any of its bytes is sent, or accepted. The
client then sends each accepted file in chunks (``protocol.Chunk``), one at
a time, each answered before the next: the actor appends it to the entry's
temporary file (the server never holds a file, only a chunk) and updates
``progress`` (0 to 100; the template shows it). A handler takes the finished
entries with ``consume_uploaded_entries(name, fn)``: ``fn(path, entry)`` for
each, then the file is removed. A cancelled entry's file is removed at once,
and every file left over when the session ends (its directory with it).

An upload allowed with ``external=`` takes no bytes at all: each accepted
entry gets the meta its function gives (``entry.external``: where the page's
uploader sends the file, a presigned URL), the page reports how much of it is
stored (``protocol.Progress``), and ``consume_uploaded_entries`` hands ``fn``
that meta instead of a path.

The size, name and type are what the browser says: the size is enforced on
the bytes that come (no more than declared, and declared within
``max_file_size``); the name and type are only as true as the client. Check
the content itself if it matters.
"""

from __future__ import annotations

import binascii
import contextlib
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..protocol import BAD_PARAMS, MAX_CHUNK_BYTES, NO_UPLOAD

if TYPE_CHECKING:
    from .messages import UploadChunk, UploadFiles, UploadProgress
    from .stateful import Stateful

T = TypeVar("T")

TOO_LARGE = "too_large"
"""An entry's error: the file is larger than ``max_file_size``."""
NOT_ACCEPTED = "not_accepted"
"""An entry's error: the file's extension or type is not in ``accept``."""
TOO_MANY_FILES = "too_many_files"
"""An upload's error: more files were chosen than ``max_entries``; none is taken."""


@dataclass
class UploadEntry:
    """One chosen file: what the template shows of it."""

    ref: str
    name: str
    size: int
    type: str
    progress: int = 0
    """Percent of its bytes received, 0 to 100."""
    received: int = 0
    done: bool = False
    """All its bytes are in its temporary file: ``consume_uploaded_entries`` takes it."""
    errors: list[str] = field(default_factory=list)
    """Why it was refused (no byte of it is sent): ``too_large``, ``not_accepted``."""
    external: dict[str, Any] | None = None
    """For an upload allowed with ``external=``: what its function gave for this
    file (``meta["uploader"]`` names the page's uploader); None otherwise."""


@dataclass
class UploadConfig:
    """An upload ``allow_upload`` allowed, and its entries (the current selection)."""

    name: str
    accept: tuple[str, ...]
    max_entries: int
    max_file_size: int
    chunk_size: int
    auto_upload: bool = True
    """Send the files' bytes as soon as they are chosen; False: when their form is
    submitted (the submit event comes once they are all in)."""
    external: Callable[[UploadEntry], dict[str, Any]] | None = None
    """Straight to storage: gives each accepted entry the meta its page's uploader
    needs (a presigned URL, say); None: the bytes come over the socket."""
    entries: list[UploadEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Errors of the selection as a whole: ``too_many_files``."""

    def accepts(self, filename: str, mime: str) -> bool:
        """Whether a file of this name and type fits ``accept`` (empty: any file).

        An item is an extension (``".png"``, matched case-insensitively), a type
        (``"image/png"``) or a family of types (``"image/*"``).
        """
        if not self.accept:
            return True
        name, mime = filename.lower(), mime.lower()
        for item in self.accept:
            item = item.lower()
            if item.startswith("."):
                if name.endswith(item):
                    return True
            elif item.endswith("/*"):
                if mime.startswith(item[:-1]):
                    return True
            elif mime == item:
                return True
        return False


class UploadRefused(Exception):
    """A client upload message the actor does not take: answered by an Error."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code


def allow_upload(
    state: Stateful,
    name: str,
    *,
    accept: Sequence[str],
    max_entries: int,
    max_file_size: int,
    chunk_size: int,
    auto_upload: bool = True,
    external: Callable[[UploadEntry], dict[str, Any]] | None = None,
) -> UploadConfig:
    if not 0 < chunk_size <= MAX_CHUNK_BYTES:
        raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK_BYTES}: {chunk_size}")
    if max_entries < 1 or max_file_size < 0:
        raise ValueError("max_entries must be at least 1, max_file_size at least 0")
    accept = (accept,) if isinstance(accept, str) else tuple(accept)
    config = UploadConfig(
        name, accept, max_entries, max_file_size, chunk_size, auto_upload, external
    )
    old = _uploads(state).get(name)
    if old is not None:
        for entry in old.entries:
            _discard(state, entry.ref)
    state.uploads = {**_uploads(state), name: config}  # an assign: re-rendered
    return config


def cancel_upload(state: Stateful, name: str, ref: str) -> bool:
    config = _config(state, name)
    for entry in config.entries:
        if entry.ref == ref:
            config.entries.remove(entry)
            _discard(state, ref)
            return True
    return False


def consume_uploaded_entries(
    state: Stateful, name: str, fn: Callable[[Any, UploadEntry], T]
) -> list[T]:
    config = _config(state, name)
    results = []
    for entry in [e for e in config.entries if e.done]:
        config.entries.remove(entry)
        if entry.external is not None:  # stored elsewhere: its meta says where
            results.append(fn(entry.external, entry))
            continue
        path = _files(state).get(entry.ref)
        if path is None:
            continue
        try:
            results.append(fn(path, entry))
        finally:
            _discard(state, entry.ref)
    return results


def preflight(
    state: Stateful, directory: Callable[[], str], message: UploadFiles
) -> dict[str, Any]:
    """Check the chosen files; the reply names the accepted entries' refs."""
    config = _uploads(state).get(message.name)
    if config is None:
        raise UploadRefused(BAD_PARAMS, f"{type(state).__name__} allows no upload {message.name!r}")
    for entry in config.entries:  # a new selection replaces the last
        _discard(state, entry.ref)
    config.entries = []
    config.errors = []
    refs: list[str | None] = [None] * len(message.files)
    if len(message.files) > config.max_entries:
        config.errors.append(TOO_MANY_FILES)
        return _reply(config, refs)
    files = _files(state)
    for i, (filename, size, mime) in enumerate(message.files):
        entry = UploadEntry(secrets.token_hex(8), filename, size, mime)
        if not config.accepts(filename, mime):
            entry.errors.append(NOT_ACCEPTED)
        if size > config.max_file_size:
            entry.errors.append(TOO_LARGE)
        config.entries.append(entry)
        if entry.errors:
            continue
        refs[i] = entry.ref
        if config.external is not None:
            entry.external = _meta(config, entry)
            if size == 0:
                entry.done, entry.progress = True, 100
            continue
        path = os.path.join(directory(), entry.ref)
        with open(path, "wb"):
            pass
        files[entry.ref] = path
        if size == 0:
            entry.done, entry.progress = True, 100
    return _reply(config, refs)


def _reply(config: UploadConfig, refs: list[str | None]) -> dict[str, Any]:
    reply = {"refs": refs, "chunk_size": config.chunk_size, "auto": config.auto_upload}
    if config.external is not None:
        metas = {entry.ref: entry.external for entry in config.entries}
        reply["external"] = [metas.get(ref) if ref else None for ref in refs]
    return reply


def _meta(config: UploadConfig, entry: UploadEntry) -> dict[str, Any]:
    assert config.external is not None
    meta = config.external(entry)
    if not isinstance(meta, dict) or not isinstance(meta.get("uploader"), str):
        raise TypeError(
            f"upload {config.name!r}: external= must give a dict with an 'uploader' "
            f"(the name of the page's uploader), not {meta!r}"
        )
    return meta


def stored_elsewhere(state: Stateful, message: UploadProgress) -> tuple[str, UploadEntry]:
    """Take an external entry's progress as its page reports it; the upload's name
    and the entry. Refused for an entry that is not external (or gone), and for
    progress that goes backwards or past the file's size."""
    found = _entry(state, message.entry)
    if found is None or found[1].external is None:
        raise UploadRefused(NO_UPLOAD, f"no external upload entry {message.entry!r}")
    config, entry = found
    if entry.done or not entry.received <= message.loaded <= entry.size:
        text = (
            f"upload entry {entry.ref!r} has {entry.received} of {entry.size} bytes "
            f"stored: {message.loaded} does not follow"
        )
        raise UploadRefused(BAD_PARAMS, text)
    entry.received = message.loaded
    entry.progress = entry.received * 100 // entry.size if entry.size else 100
    entry.done = entry.received == entry.size
    return config.name, entry


def write_chunk(state: Stateful, message: UploadChunk) -> tuple[str, UploadEntry]:
    """Append the chunk to its entry's file; the upload's name and the entry."""
    path = _files(state).get(message.entry)
    found = _entry(state, message.entry)
    if path is None or found is None:
        raise UploadRefused(NO_UPLOAD, f"no upload entry {message.entry!r}")
    config, entry = found
    if entry.done or message.offset != entry.received:
        text = f"upload entry {entry.ref!r} expects offset {entry.received}"
        raise UploadRefused(NO_UPLOAD, text)
    try:
        data = binascii.a2b_base64(message.data, strict_mode=True)
    except binascii.Error as exc:
        raise UploadRefused(BAD_PARAMS, f"a chunk that is not base64: {exc}") from None
    if not data or len(data) > config.chunk_size or entry.received + len(data) > entry.size:
        text = f"a chunk of {len(data)} bytes does not fit upload entry {entry.ref!r}"
        raise UploadRefused(BAD_PARAMS, text)
    with open(path, "ab") as f:
        f.write(data)
    entry.received += len(data)
    entry.progress = entry.received * 100 // entry.size
    entry.done = entry.received == entry.size
    return config.name, entry


def discard_all(state: Stateful) -> None:
    """Remove every upload file of ``state`` (its actor stopped)."""
    for ref in list(_files(state)):
        _discard(state, ref)


def _uploads(state: Stateful) -> dict[str, UploadConfig]:
    uploads = state.__dict__.get("uploads")
    return uploads if isinstance(uploads, dict) else {}


def _config(state: Stateful, name: str) -> UploadConfig:
    config = _uploads(state).get(name)
    if config is None:
        raise KeyError(f"no upload {name!r}: call allow_upload({name!r}, ...) first")
    return config


def _entry(state: Stateful, ref: str) -> tuple[UploadConfig, UploadEntry] | None:
    for config in _uploads(state).values():
        for entry in config.entries:
            if entry.ref == ref:
                return config, entry
    return None


def _files(state: Stateful) -> dict[str, str]:
    # The temporary file of each entry being (or done being) uploaded, by ref.
    files: dict[str, str] | None = state.__dict__.get("_upload_files")
    if files is None:
        files = {}
        object.__setattr__(state, "_upload_files", files)
    return files


def _discard(state: Stateful, ref: str) -> None:
    path = _files(state).pop(ref, None)
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
