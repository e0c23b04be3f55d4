"""Gallery: image uploads with previews and progress.

Run it with ``roost run examples.gallery:app`` and open http://127.0.0.1:8000/.

- The file input is bound to an upload (``allow_upload("photos", ...)``): the
  view checks each file's type, size and count before a byte is sent, and
  says why it refuses one; the accepted ones go over the page's socket a chunk
  at a time, each with its progress bar.
- Photos dragged onto the drop zone (``roost-drop-target="photos"``) go into
  the same input, so they are checked, previewed and uploaded alike; the zone
  has the class ``roost-drop-target-active`` while they are dragged over it.
- The ``Preview`` hook (``static/gallery.js``) shows each chosen image at once,
  from the browser's own copy, before it is uploaded.
- "Add to the gallery" consumes the finished uploads: each is copied into the
  gallery's folder (``ROOST_GALLERY_DIR``, default a temporary one) and shown
  from ``/photos/NAME``, a plain HTTP route. The temporary files are gone once
  consumed, cancelled, or when the tab leaves.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from roost import App, LiveView, event

FOLDER = Path(os.environ.get("ROOST_GALLERY_DIR") or tempfile.mkdtemp(prefix="roost-gallery-"))
TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
SAFE = re.compile(r"[^A-Za-z0-9._-]+")
NAME = re.compile(r"[0-9a-f]{12}-[A-Za-z0-9._-]{1,80}")


def photos() -> list[str]:
    """The gallery's files, newest first."""
    files = sorted(FOLDER.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    return [p.name for p in files if NAME.fullmatch(p.name)]


def keep(path: str, name: str) -> str:
    """Copy an uploaded file into the gallery under a fresh, safe name."""
    stem = SAFE.sub("-", Path(name).name)[-80:] or "photo"
    kept = f"{secrets.token_hex(6)}-{stem}"
    shutil.copyfile(path, FOLDER / kept)
    return kept


class Gallery(LiveView):
    template = "gallery.html"

    def mount(self, params, session):
        self.photos = photos()
        self.allow_upload(
            "photos",
            accept=(*TYPES, *TYPES.values()),
            max_entries=4,
            max_file_size=5_000_000,
        )

    @event
    def cancel(self, ref: str):
        self.cancel_upload("photos", ref)

    @event
    def save(self):
        kept = self.consume_uploaded_entries("photos", lambda path, entry: keep(path, entry.name))
        self.photos = [*kept, *self.photos]


async def photo(request: Request) -> Response:
    name = request.path_params["name"]
    if not NAME.fullmatch(name) or not (FOLDER / name).is_file():
        return PlainTextResponse("not found", status_code=404)
    kind = TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
    return FileResponse(FOLDER / name, media_type=kind, headers={"cache-control": "max-age=3600"})


app = App(
    {"/": Gallery},
    http_routes=[Route("/photos/{name}", photo)],
    layout="layout.html",
    static_dir="static",
    title="roost gallery",
)
