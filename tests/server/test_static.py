"""Static files over HTTP: the app's folder (types, ETags, digested URLs, HEAD, favicon,
no way out) and roost's own client (an entry to revalidate, modules cached for good)."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trio

from roost import App, LiveView
from roost.server import Runtime
from roost.server import static as static_module
from roost.server.static import IMMUTABLE, REVALIDATE, StaticFiles, content_type

CSS = b"h1 { color: rgb(10, 20, 30); }\n"
BIG = bytes(range(256)) * 2048  # 512 KiB: streamed in chunks, not kept in memory


class Home(LiveView):
    def render(self) -> str:
        return "<p>home</p>"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class StaticServer:
    app: App
    url: str
    folder: Path

    async def request(self, path: str, *, method: str = "GET", headers: str = "") -> Response:
        """Send ``path`` as written (no normalising, no encoding) and read the whole response."""
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        stream = await trio.open_tcp_stream(host, int(port))
        async with stream:
            head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}"
            await stream.send_all(f"{head}Connection: close\r\n\r\n".encode())
            data = b""
            while chunk := await stream.receive_some():
                data += chunk
        raw, _, body = data.partition(b"\r\n\r\n")
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        fields = dict(line.split(": ", 1) for line in lines)
        return Response(
            int(status_line.split()[1]), {k.lower(): v for k, v in fields.items()}, body
        )


def make_site(root: Path, *, favicon: bool = True) -> Path:
    """A static folder in ``root/static`` and a secret beside it, outside the folder."""
    (root / "secret.txt").write_text("the secret")
    folder = root / "static"
    (folder / "sub").mkdir(parents=True)
    (folder / "app.css").write_bytes(CSS)
    (folder / "app.js").write_text("export const x = 1;\n")
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (folder / "data.unknownext").write_bytes(b"\x01\x02")
    (folder / "big.bin").write_bytes(BIG)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "sub" / "page.txt").write_text("in a subfolder")
    (folder / ".env").write_text("SECRET=1")
    (folder / "link-out.txt").symlink_to(root / "secret.txt")
    (folder / "dir-out").symlink_to(root, target_is_directory=True)
    (folder / "link-in.css").symlink_to(folder / "app.css")
    if favicon:
        (folder / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    return folder


async def serve(nursery, app: App, folder: Path) -> StaticServer:
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    return StaticServer(app, runtime.urls[0], folder)


@pytest.fixture
async def site(nursery, tmp_path) -> AsyncIterator[StaticServer]:
    folder = make_site(tmp_path)
    yield await serve(nursery, App({"/": Home}, static_dir=folder), folder)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# -- what is served, and how -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("app.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("logo.svg", "image/svg+xml"),
        ("favicon.ico", "image/vnd.microsoft.icon"),
        ("sub/page.txt", "text/plain; charset=utf-8"),
        ("data.unknownext", "application/octet-stream"),
    ],
)
async def test_each_file_is_served_with_the_content_type_of_its_extension(site, name, expected):
    response = await site.request(f"/static/{name}")
    assert response.status == 200
    assert response.headers["content-type"] == expected
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.body == (site.folder / name).read_bytes()


def test_content_types_of_web_files_do_not_depend_on_the_systems_mime_table():
    assert content_type("a.woff2") == "font/woff2"
    assert content_type("a.MJS") == "text/javascript; charset=utf-8"
    assert content_type("a.json") == "application/json; charset=utf-8"
    assert content_type("a.wasm") == "application/wasm"
    assert content_type("noextension") == "application/octet-stream"


async def test_a_file_larger_than_the_memory_cache_takes_is_sent_whole(site):
    assert len(BIG) > static_module.MAX_CACHED_FILE_BYTES
    response = await site.request("/static/big.bin")
    assert response.status == 200
    assert response.headers["content-length"] == str(len(BIG))
    assert response.body == BIG


async def test_an_empty_file_is_an_empty_200(site):
    response = await site.request("/static/empty.txt")
    assert (response.status, response.body, response.headers["content-length"]) == (200, b"", "0")


async def test_head_answers_with_the_headers_of_get_and_no_body(site):
    for name in ("app.css", "big.bin"):
        get = await site.request(f"/static/{name}")
        head = await site.request(f"/static/{name}", method="HEAD")
        assert head.status == 200 and head.body == b""
        for field in ("content-type", "content-length", "etag", "cache-control"):
            assert head.headers[field] == get.headers[field]


async def test_other_methods_are_refused(site):
    response = await site.request("/static/app.css", method="POST", headers="Content-Length: 0\r\n")
    assert response.status == 405


# -- caching: ETag, 304 and digested URLs ---------------------------------------------


async def test_the_etag_is_a_digest_of_the_contents_and_a_match_is_answered_304(site):
    response = await site.request("/static/app.css")
    etag = response.headers["etag"]
    assert etag == f'"{digest_of(CSS)}"'
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await site.request("/static/app.css", headers=f"If-None-Match: {header}\r\n")
        assert again.status == 304, header
        assert again.body == b""
        assert again.headers["etag"] == etag
    other = await site.request("/static/app.css", headers='If-None-Match: "other"\r\n')
    assert other.status == 200 and other.body == CSS


async def test_a_url_with_the_files_digest_may_be_cached_forever_any_other_must_revalidate(site):
    url = site.app.static.url("app.css")
    assert url == f"/static/app.css?vsn={digest_of(CSS)}"
    digested = await site.request(url)
    assert digested.status == 200 and digested.body == CSS
    assert digested.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    for plain in ("/static/app.css", "/static/app.css?vsn=0123456789abcdef", "/static/app.css?x=1"):
        response = await site.request(plain)
        assert response.headers["cache-control"] == REVALIDATE == "no-cache", plain


async def test_a_changed_file_gets_a_new_digested_url_and_its_old_url_is_no_longer_immutable(site):
    old_url = site.app.static.url("app.css")
    changed = b"h1 { color: red; } /* a longer file */\n"
    (site.folder / "app.css").write_bytes(changed)
    new_url = site.app.static.url("app.css")
    assert new_url == f"/static/app.css?vsn={digest_of(changed)}" != old_url
    stale = await site.request(old_url)
    assert stale.body == changed and stale.headers["cache-control"] == REVALIDATE
    fresh = await site.request(new_url)
    assert fresh.headers["cache-control"] == IMMUTABLE
    assert fresh.headers["etag"] == f'"{digest_of(changed)}"'


async def test_the_digested_url_of_a_file_in_a_subfolder_keeps_its_path(site):
    assert site.app.static.url("sub/page.txt").startswith("/static/sub/page.txt?vsn=")
    response = await site.request(site.app.static.url("/sub/page.txt"))
    assert response.status == 200 and response.headers["cache-control"] == IMMUTABLE


def test_static_url_of_a_file_that_is_not_there_is_a_clear_error(tmp_path):
    files = StaticFiles(make_site(tmp_path))
    for name in ("missing.css", "../secret.txt", "link-out.txt", "sub"):
        with pytest.raises(ValueError, match="no such file"):
            files.url(name)


def test_memory_kept_for_file_contents_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(static_module, "CACHE_BYTES", 100)
    folder = tmp_path / "static"
    folder.mkdir()
    files = StaticFiles(folder)
    for i in range(10):
        (folder / f"{i}.txt").write_bytes(b"x" * 40)
        assert files._lookup(f"{i}.txt") is not None
        assert files._cached_bytes <= 100
    assert files._lookup("9.txt")[3] == b"x" * 40  # the latest is kept


# -- nothing outside the folder ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E%2Fsecret.txt",
        "/static/sub/..%2f..%2fsecret.txt",
        "/static/sub/../../secret.txt",
        "/static//etc/passwd",
        "/static/%2Fetc%2Fpasswd",
        "/static/..%5Csecret.txt",
        "/static/link-out.txt",
        "/static/dir-out/secret.txt",
        "/static/.env",
        "/static/sub/./page.txt",
        "/static/app.css%00.txt",
        "/static/",
        "/static/sub",
        "/static/missing.css",
    ],
)
async def test_a_path_that_leads_out_of_the_folder_or_to_no_file_is_404(site, path):
    response = await site.request(path)
    assert response.status == 404, path
    assert b"secret" not in response.body.lower()


async def test_a_symlink_within_the_folder_is_followed(site):
    response = await site.request("/static/link-in.css")
    assert response.status == 200 and response.body == CSS


# -- favicon, mounting, start-up ----------------------------------------------------------


async def test_the_favicon_is_served_from_the_static_folder(site):
    response = await site.request("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/vnd.microsoft.icon"
    assert response.body == b"\x00\x00\x01\x00"


async def test_without_a_favicon_in_the_folder_or_without_a_folder_favicon_is_404(
    nursery, tmp_path
):
    folder = make_site(tmp_path, favicon=False)
    without_icon = await serve(nursery, App({"/": Home}, static_dir=folder), folder)
    assert (await without_icon.request("/favicon.ico")).status == 404
    assert (await without_icon.request("/")).status == 200
    without_folder = await serve(nursery, App({"/": Home}), folder)
    assert (await without_folder.request("/favicon.ico")).status == 404
    assert (await without_folder.request("/static/app.css")).status == 404


async def test_the_folder_may_be_served_under_another_path(nursery, tmp_path):
    folder = make_site(tmp_path)
    app = App({"/": Home}, static_dir=folder, static_path="/assets/")
    served = await serve(nursery, app, folder)
    assert app.static.url("app.css").startswith("/assets/app.css?vsn=")
    assert (await served.request("/assets/app.css")).body == CSS
    assert (await served.request("/static/app.css")).status == 404


def test_a_relative_static_dir_is_found_next_to_the_module_that_creates_the_app():
    from tests.apps.site import app

    assert app.static.directory == Path(__file__).parent.parent / "apps" / "site" / "static"


def test_a_static_dir_that_is_not_a_folder_fails_at_start_up(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        App({"/": Home}, static_dir=tmp_path / "nope")
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="not a directory"):
        App({"/": Home}, static_dir=os.fspath(tmp_path / "file"))
    with pytest.raises(ValueError, match="static_path"):
        App({"/": Home}, static_dir=tmp_path, static_path="/")


@pytest.mark.parametrize(
    "name",
    [
        "../secret.txt",
        "sub/../../secret.txt",
        "/etc/passwd",
        "link-out.txt",
        "dir-out/secret.txt",
        "sub/../app.css",
        "./app.css",
        ".env",
        "sub\\..\\app.css",
        "app.css\x00",
        "",
        "sub",
    ],
)
def test_a_name_out_of_the_folder_or_of_no_file_is_refused_before_any_read(tmp_path, name):
    files = StaticFiles(make_site(tmp_path))
    assert files.path_for(name) is None
    assert files.path_for("sub/page.txt") == files.directory / "sub" / "page.txt"


# -- roost's own client (/_roost/) ------------------------------------------------------

CLIENT = Path(static_module.__file__).resolve().parent.parent / "client"
IMPORTED = re.compile(r'from "(\./[^"]+)"')


async def test_the_client_entry_imports_its_modules_from_a_folder_named_for_the_clients_digest(
    site,
):
    digest = static_module.client_digest()
    entry = await site.request("/_roost/roost.js")
    assert entry.status == 200
    assert entry.headers["content-type"] == "text/javascript; charset=utf-8"
    # The page names this URL on every load: the browser must ask whether it changed.
    assert entry.headers["cache-control"] == REVALIDATE
    assert entry.headers["etag"] == f'"{digest}"'
    imported = IMPORTED.findall(entry.body.decode())
    assert len(imported) >= 5
    assert all(path.startswith(f"./{digest}/") for path in imported), imported
    for path in imported:
        module = await site.request("/_roost/" + path.removeprefix("./"))
        assert module.status == 200, path
        assert module.headers["cache-control"] == IMMUTABLE, path
        assert module.body == (CLIENT / path.rsplit("/", 1)[1]).read_bytes()


async def test_a_client_module_under_an_old_digest_or_none_is_todays_file_and_must_revalidate(
    site,
):
    today = (CLIENT / "socket.js").read_bytes()
    for path in ("/_roost/0123456789abcdef/socket.js", "/_roost/socket.js"):
        module = await site.request(path)
        assert module.status == 200 and module.body == today, path
        assert module.headers["cache-control"] == REVALIDATE, path


async def test_the_client_answers_its_etag_with_304_and_head_with_the_headers_alone(site):
    etag = f'"{static_module.client_digest()}"'
    for path in ("/_roost/roost.js", f"/_roost/{static_module.client_digest()}/patch.js"):
        again = await site.request(path, headers=f"If-None-Match: {etag}\r\n")
        assert again.status == 304 and again.body == b"", path
        head = await site.request(path, method="HEAD")
        get = await site.request(path)
        assert head.status == 200 and head.body == b""
        assert head.headers["content-length"] == str(len(get.body))


@pytest.mark.parametrize(
    "path",
    [
        "/_roost/nope.js",
        "/_roost/0123456789abcdef/roost.js",  # the entry finds its socket next to itself
        "/_roost/0123456789abcdef/nope.js",
        "/_roost/a/b/socket.js",
        "/_roost/NOT-A-DIGEST/socket.js",
        "/_roost/../pyproject.toml",
        "/_roost/0123456789abcdef/../../pyproject.toml",
    ],
)
async def test_anything_but_the_clients_files_below_the_client_path_is_404(site, path):
    assert (await site.request(path)).status == 404


def test_the_clients_digest_changes_with_any_of_its_files(monkeypatch):
    before = static_module.client_digest()
    real = static_module.client_file

    def edited(name: str) -> bytes | None:
        body = real(name)
        return body + b"\n// edited\n" if name == "keys.js" and body else body

    monkeypatch.setattr(static_module, "client_file", edited)
    static_module.client_digest.cache_clear()
    try:
        assert static_module.client_digest() != before
    finally:
        static_module.client_digest.cache_clear()
