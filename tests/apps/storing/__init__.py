"""An upload straight to storage (``allow_upload(..., external=...)``): the page's
``Put`` uploader PUTs each file to this app's own ``/storage/KEY`` (standing for a
bucket's presigned URL), reporting progress as it goes; ``save`` consumes the
entries, reading what the storage holds."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from roost import App, LiveView, event

STORED: dict[str, bytes] = {}
"""What the storage holds, by key."""


async def put(request: Request) -> Response:
    STORED[request.path_params["key"]] = await request.body()
    return PlainTextResponse("stored", status_code=201)


class Storing(LiveView):
    template = "storing.html"

    def mount(self, params, session):
        self.saved = []
        self.allow_upload(
            "photo",
            accept=(".png", ".txt"),
            max_entries=2,
            max_file_size=int(params.get("max", 1_000_000)),
            external=self.presign,
        )

    def presign(self, entry):
        # A real app asks its storage for a presigned URL here.
        key = f"{secrets.token_hex(6)}-{entry.name}"
        return {"uploader": "Put", "url": f"/storage/{key}", "key": key}

    @event
    def save(self):
        self.saved += self.consume_uploaded_entries(
            "photo", lambda meta, entry: f"{entry.name} {len(STORED[meta['key']])}"
        )


app = App({"/": Storing}, http_routes=[Route("/storage/{key}", put, methods=["PUT"])])
