# Signed session tokens: what the dead render hands the browser so that its
# WebSocket can join the same view. HMAC via itsdangerous, rotated keys accepted.
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from typing import Any

import itsdangerous

DEFAULT_MAX_AGE = 24 * 3600
"""Seconds a token stays valid for joining (and rejoining after a reconnect)."""


def configured_secrets() -> str:
    """The secret(s) the environment configures: ``ROOST_SECRET``, else the
    contents of the file ``ROOST_SECRET_FILE`` names; "" for none."""
    return os.environ.get("ROOST_SECRET", "") or _secret_file()


def _secret_file() -> str:
    # ROOST_SECRET_FILE: a file holding the secret(s), for secret mounts.
    path = os.environ.get("ROOST_SECRET_FILE", "")
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read().strip()
    except OSError as exc:
        raise RuntimeError(f"ROOST_SECRET_FILE={path!r} cannot be read: {exc.strerror}") from None


class BadToken(Exception):
    """A token that is forged, corrupted, signed by an unknown key or expired."""


class TokenSigner:
    """Signs with the first secret and accepts any of them (key rotation).

    Secrets come from the argument, else from ``ROOST_SECRET`` (comma
    separated, newest first), else from the file ``ROOST_SECRET_FILE`` names
    (the same format; a Docker or Kubernetes secret), else one random secret
    for this process, which is fine for one process but not for several that
    share sessions.
    """

    def __init__(
        self, secrets_: Sequence[str] | str | None = None, max_age: int = DEFAULT_MAX_AGE
    ) -> None:
        if secrets_ is None:
            env = configured_secrets()
            secrets_ = [s.strip() for s in env.split(",") if s.strip()]
        elif isinstance(secrets_, str):
            secrets_ = [secrets_]
        self.configured = bool(secrets_)
        """Whether the secrets were given (argument or ``ROOST_SECRET``), not made up
        for this process: only then can another process (``roost tree``) know them."""
        self.secrets: list[str] = list(secrets_) or [secrets.token_urlsafe(32)]
        secrets_ = self.secrets
        # itsdangerous signs with the last key and verifies against all of them.
        self._serializer = itsdangerous.URLSafeTimedSerializer(
            list(reversed(list(secrets_))), salt="roost.session"
        )
        self.max_age = max_age

    @property
    def cookie_secret(self) -> str:
        """A key for the session cookie, derived from the newest secret (a cookie
        cannot be replayed as a token, nor a token as a cookie)."""
        newest = self._serializer.secret_keys[-1]
        return hmac.new(newest, b"roost.cookie", hashlib.sha256).hexdigest()

    def sign(self, data: dict[str, Any]) -> str:
        return self._serializer.dumps(data)

    def verify(self, token: str) -> dict[str, Any]:
        """The signed data, or ``BadToken`` saying why not."""
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except itsdangerous.SignatureExpired:
            raise BadToken("session token expired") from None
        except itsdangerous.BadData:
            raise BadToken("invalid session token") from None
        if not isinstance(data, dict):
            raise BadToken("invalid session token")
        return data
