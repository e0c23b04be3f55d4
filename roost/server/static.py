# The files a page loads besides itself: roost's own client (roost/client) and
# the app's static folder, with digested URLs, ETags and no way out of the folder.
"""Static files: roost's browser client, and the folder an app names (``App(static_dir=...)``)."""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import logging
import mimetypes
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import anyio
import anyio.to_thread

__all__ = [
    "CACHE_BYTES",
    "CHUNK_BYTES",
    "CLIENT_ENTRY",
    "DIGEST_PARAM",
    "IMMUTABLE",
    "MAX_CACHED_FILE_BYTES",
    "REVALIDATE",
    "StaticFiles",
    "client_asset",
    "client_digest",
    "client_file",
    "content_type",
    "respond_client",
]

log = logging.getLogger("roost.server")

_NAME = re.compile(r"^[a-z_]+\.js$")


@functools.cache
def client_file(name: str) -> bytes | None:
    """The bytes of ``roost/client/<name>``, or None for anything else."""
    if not _NAME.match(name):
        return None
    resource = importlib.resources.files("roost.client").joinpath(name)
    if not resource.is_file():
        return None
    return resource.read_bytes()


CLIENT_ENTRY = "roost.js"
"""The client's entry module, the one URL a page names (``roost_head``)."""


@functools.cache
def client_digest() -> str:
    """A digest of every file of roost's browser client: the name of the folder its
    modules are served from with ``IMMUTABLE`` (``/_roost/<digest>/socket.js``)."""
    folder = importlib.resources.files("roost.client")
    digest = hashlib.sha256()
    for name in sorted(r.name for r in folder.iterdir() if _NAME.match(r.name)):
        digest.update(name.encode() + b"\0" + (client_file(name) or b"") + b"\0")
    return digest.hexdigest()[:16]


_DIGEST = re.compile(r"[0-9a-f]{16}")

# An entry module's relative import: `import { a } from "./socket.js";`
_RELATIVE_IMPORT = re.compile(rb'^((?:import|export)\b[^;]*?\bfrom\s*")\./', re.MULTILINE)


@functools.cache
def _entry() -> bytes:
    # The entry's URL stays the same (a page's HTML names it; the client finds its
    # socket next to it), so the browser revalidates it on every page load; the
    # modules it imports come from the digest's folder, which it keeps for good:
    # one request per page load (a 304) instead of one per module.
    body = client_file(CLIENT_ENTRY) or b""
    return _RELATIVE_IMPORT.sub(rb"\1./" + client_digest().encode() + b"/", body)


def client_asset(name: str) -> tuple[bytes, str] | None:
    """What ``/_roost/<name>`` serves: the body and its ``Cache-Control``; None
    for anything that is not a file of the client.

    ``roost.js`` imports its modules from ``<digest>/``, and is ``REVALIDATE``;
    a module in the current digest's folder is ``IMMUTABLE``. A module under
    another digest (a page loaded before the server was upgraded) gets today's
    file, ``REVALIDATE``; a module named without a folder too.
    """
    folder, _, file = name.rpartition("/")
    if folder and not _DIGEST.fullmatch(folder):
        return None
    if file == CLIENT_ENTRY:
        return None if folder else (_entry(), REVALIDATE)
    body = client_file(file)
    if body is None:
        return None
    return body, IMMUTABLE if folder == client_digest() else REVALIDATE


async def respond_client(scope: dict[str, Any], send: Any, name: str) -> None:
    """Answer the GET or HEAD request ``scope`` for ``/_roost/<name>`` (``client_asset``);
    its ETag is the client's digest, and ``If-None-Match`` with it gets a ``304``."""
    asset = client_asset(name)
    if asset is None:
        await _send(send, 404, [(b"content-type", b"text/plain")], b"not found")
        return
    body, cache = asset
    headers = await _unless_unchanged(scope, send, client_digest(), cache)
    if headers is None:
        return
    headers += [
        (b"content-type", b"text/javascript; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    await _send(send, 200, headers, b"" if scope["method"] == "HEAD" else body)


# -- the app's static folder ------------------------------------------------------

DIGEST_PARAM = "vsn"
"""The query parameter of a digested URL: ``/static/app.css?vsn=<digest>``."""

IMMUTABLE = "public, max-age=31536000, immutable"
"""``Cache-Control`` of a response to a URL that carries the file's current digest."""

REVALIDATE = "no-cache"
"""``Cache-Control`` of any other static response: a cache keeps it, but asks
each time (``If-None-Match``; an unchanged file costs a ``304`` and no body)."""

CHUNK_BYTES = 64 * 1024
"""A file not kept in memory is read and sent in chunks of this size."""

MAX_CACHED_FILE_BYTES = 256 * 1024
"""Files up to this size are kept in memory once read (up to ``CACHE_BYTES`` in all)."""

CACHE_BYTES = 16 * 1024 * 1024
"""The most bytes of file contents kept in memory per ``StaticFiles``; the least
recently served files are dropped first."""

# Web types, so that a server's /etc/mime.types (or its absence) changes nothing.
_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".html": "text/html",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
}
_TEXT = ("text/", "application/json", "application/manifest+json", "application/xml")


def content_type(name: str) -> str:
    """The ``Content-Type`` for a file called ``name`` (UTF-8 for text).

    Common web types are fixed here; others come from ``mimetypes``;
    anything unknown is ``application/octet-stream``.
    """
    kind = _TYPES.get(os.path.splitext(name)[1].lower()) or mimetypes.guess_type(name)[0]
    if kind is None:
        return "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXT) else kind


_Signature = tuple[int, int, int, int]
"""What tells one version of a file from another: mtime (ns), size, inode, device."""


def _signature(st: os.stat_result) -> _Signature:
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)


class StaticFiles:
    """The files of ``directory``, served under ``url_path`` (``/static/app.css``).

    Every file's ETag is a digest of its contents; ``url(name)`` gives the
    URL that carries it (``/static/app.css?vsn=…``), which browsers may cache
    for a year (``IMMUTABLE``): when the file changes, so does the URL. A
    request without the current digest gets ``REVALIDATE``. ``If-None-Match``
    is answered with ``304``; ``HEAD`` with the headers alone.

    Only regular files inside ``directory`` are served: a name with an empty,
    ``.`` or ``..`` segment, a hidden file or folder (``.env``, ``.git/…``), a
    backslash or a NUL is refused, and so is a symlink that leads out of
    ``directory`` (symlinks within it are followed). Refused and missing
    names are the same ``404``.

    Reading never blocks the event loop: files are opened, hashed and read
    in worker threads, in chunks of ``CHUNK_BYTES``; files up to
    ``MAX_CACHED_FILE_BYTES`` are kept in memory (``CACHE_BYTES`` in all).
    """

    def __init__(self, directory: str | os.PathLike[str], url_path: str = "/static") -> None:
        root = Path(directory)
        if not root.is_dir():
            raise ValueError(f"static_dir {str(directory)!r} is not a directory")
        url_path = "/" + url_path.strip("/")
        if url_path == "/":
            raise ValueError("static_path must name a path below the root, such as '/static'")
        self.directory = root.resolve()
        """The folder, as an absolute path with its symlinks resolved."""
        self.url_path = url_path
        """The URL path the files are served under, without a trailing slash (below the
        app's root: ``name_of`` takes the path with the mount point taken off)."""
        self.root_path = ""
        """Where the app is mounted (the ASGI ``root_path``, ``"/live"``; ``""`` at the
        site's root): ``url`` gives URLs below it (``App`` sets it)."""
        self._lock = threading.Lock()  # the caches are filled from worker threads
        self._digests: dict[Path, tuple[_Signature, str]] = {}
        self._bodies: OrderedDict[Path, tuple[_Signature, bytes]] = OrderedDict()
        self._cached_bytes = 0

    # -- names to files ----------------------------------------------------------

    def path_for(self, name: str) -> Path | None:
        """The file ``name`` (``"css/app.css"``) stands for, or None if it is refused or
        missing. Touches the file system: call it from a worker thread when serving."""
        parts = name.split("/")
        if any(not p or p[0] == "." or "\\" in p or "\x00" in p for p in parts):
            return None
        try:
            real = self.directory.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):  # missing, unreadable, a symlink loop
            return None
        if not real.is_relative_to(self.directory) or not real.is_file():
            return None
        return real

    def url(self, name: str) -> str:
        """The digested URL of static file ``name``: ``/static/app.css?vsn=<digest>``
        (``/live/static/app.css?vsn=<digest>`` when the app is mounted at ``/live``).

        This is ``static_url`` in templates. The digest is computed the first
        time a version of the file is asked for (read in the caller's thread:
        a template renders synchronously), then kept. Raises ``ValueError``
        when ``name`` is no file of the static folder.
        """
        name = name.lstrip("/")
        path = self.path_for(name)
        if path is None:
            raise ValueError(f"static_url({name!r}): no such file in {str(self.directory)!r}")
        digest = self._digest(path)
        return f"{self.root_path}{self.url_path}/{quote(name)}?{DIGEST_PARAM}={digest}"

    def _digest(self, path: Path) -> str:
        # The current digest of `path`, hashing the file if it changed since.
        signature = _signature(path.stat())
        with self._lock:
            known = self._digests.get(path)
        if known is not None and known[0] == signature:
            return known[1]
        return self._read(path)[1]

    def _read(self, path: Path) -> tuple[_Signature, str, bytes | None]:
        # Hash the file, and keep its bytes if it is small: (signature, digest, bytes or None).
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            signature = _signature(os.fstat(f.fileno()))
            small = signature[1] <= MAX_CACHED_FILE_BYTES
            chunks: list[bytes] = []
            while chunk := f.read(CHUNK_BYTES):
                digest.update(chunk)
                if small:
                    chunks.append(chunk)
        text = digest.hexdigest()[:16]
        body = b"".join(chunks) if small else None
        if body is not None and len(body) != signature[1]:
            body = None  # it changed while being read: streamed instead
        with self._lock:
            self._digests[path] = (signature, text)
            if body is not None:
                self._keep(path, signature, body)
        return signature, text, body

    def _keep(self, path: Path, signature: _Signature, body: bytes) -> None:
        # With the lock held: cache `body`, dropping the least recently served past CACHE_BYTES.
        old = self._bodies.pop(path, None)
        if old is not None:
            self._cached_bytes -= len(old[1])
        self._bodies[path] = (signature, body)
        self._cached_bytes += len(body)
        while self._cached_bytes > CACHE_BYTES:
            _, (_, dropped) = self._bodies.popitem(last=False)
            self._cached_bytes -= len(dropped)

    def _lookup(self, name: str) -> tuple[Path, _Signature, str, bytes | None] | None:
        # In a worker thread: the file, its signature, digest and (cached) bytes.
        path = self.path_for(name)
        if path is None:
            return None
        try:
            signature = _signature(path.stat())
            with self._lock:
                known = self._digests.get(path)
                cached = self._bodies.get(path)
                if cached is not None and cached[0] == signature:
                    self._bodies.move_to_end(path)
            if known is not None and known[0] == signature:
                body = cached[1] if cached is not None and cached[0] == signature else None
                return path, signature, known[1], body
            signature, digest, body = self._read(path)
        except OSError:  # gone or unreadable since
            return None
        return path, signature, digest, body

    # -- serving -------------------------------------------------------------------

    def name_of(self, path: str) -> str | None:
        """The file name a request ``path`` asks for (``/static/a/b.css`` -> ``a/b.css``;
        ``/favicon.ico`` -> ``favicon.ico``), or None if the path is not this folder's."""
        if path == "/favicon.ico":
            return "favicon.ico"
        prefix = self.url_path + "/"
        return path[len(prefix) :] if path.startswith(prefix) else None

    async def respond(self, scope: dict[str, Any], send: Any, name: str) -> None:
        """Answer the GET or HEAD request ``scope`` with static file ``name``."""
        found = await anyio.to_thread.run_sync(self._lookup, name)
        if found is None:
            await _send(send, 404, [(b"content-type", b"text/plain")], b"not found")
            return
        path, signature, digest, body = found
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        cache = IMMUTABLE if query.get(DIGEST_PARAM) == digest else REVALIDATE
        headers = await _unless_unchanged(scope, send, digest, cache)
        if headers is None:
            return
        size = signature[1]
        headers += [
            (b"content-type", content_type(path.name).encode()),
            (b"content-length", str(size).encode()),
        ]
        if scope["method"] == "HEAD":
            await _send(send, 200, headers, b"")
        elif body is not None:
            await _send(send, 200, headers, body)
        else:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await _stream(send, path, size)


async def _stream(send: Any, path: Path, size: int) -> None:
    # `size` bytes of `path` in chunks, each read in a worker thread.
    left = size
    async with await anyio.open_file(path, "rb") as f:
        while left > 0:
            chunk = await f.read(min(CHUNK_BYTES, left))
            if not chunk:  # the file shrank since: the response cannot be completed
                raise OSError(f"{path} ended {left} bytes early")
            left -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": left > 0})
    if size == 0:
        await send({"type": "http.response.body", "body": b""})


async def _unless_unchanged(
    scope: dict[str, Any], send: Any, digest: str, cache: str
) -> list[tuple[bytes, bytes]] | None:
    # A response's validators (its ETag is `digest`); None once a request that
    # already holds that version (If-None-Match) has been answered 304.
    etag = f'"{digest}"'.encode()
    headers = [
        (b"etag", etag),
        (b"cache-control", cache.encode()),
        (b"x-content-type-options", b"nosniff"),
    ]
    if _matches(_header(scope, b"if-none-match"), etag):
        await _send(send, 304, headers, b"")
        return None
    return headers


def _header(scope: dict[str, Any], name: bytes) -> bytes:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value)
    return b""


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    # RFC 9110 13.1.2: "*", or any listed tag equal to ours by weak comparison.
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")]
    return b"*" in tags or etag in tags


async def _send(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    if status != 304 and not any(k == b"content-length" for k, _ in headers):
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
