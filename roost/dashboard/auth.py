# Who may open the dashboard: HTTP Basic auth with the server's secret as the
# password, whenever the server has one configured.
from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Sequence
from typing import Any

REALM = "roost dashboard"


def allowed(scope: dict[str, Any], secrets: Sequence[str], configured: bool, dev: bool) -> bool:
    """Whether the request in ``scope`` may see the dashboard: with a configured
    secret, only when its Basic auth password is one of ``secrets``; without
    one, only in dev mode (production mode needs a secret anyway)."""
    if not configured:
        return dev
    header = ""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            header = value.decode("latin-1")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        _, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return any(hmac.compare_digest(password, secret) for secret in secrets)


def challenge() -> list[tuple[bytes, bytes]]:
    """The headers of the 401 that makes a browser ask for the password."""
    return [(b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode())]
