from __future__ import annotations

import pytest

from roost.server.tokens import BadToken, TokenSigner


def test_a_signed_token_verifies_to_its_data():
    signer = TokenSigner("s3cret")
    assert signer.verify(signer.sign({"r": "/", "s": "abc"})) == {"r": "/", "s": "abc"}


def test_a_tampered_or_foreign_token_is_refused():
    token = TokenSigner("one").sign({"r": "/"})
    with pytest.raises(BadToken):
        TokenSigner("two").verify(token)
    head, signature = token.rsplit(".", 1)
    forged = head + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(BadToken):
        TokenSigner("one").verify(forged)
    payload, rest = token.split(".", 1)
    altered = ("A" if payload[0] != "A" else "B") + payload[1:] + "." + rest
    with pytest.raises(BadToken):
        TokenSigner("one").verify(altered)


def test_rotated_keys_still_verify_tokens_signed_with_the_old_key():
    old = TokenSigner("old").sign({"r": "/"})
    rotated = TokenSigner(["new", "old"])
    assert rotated.verify(old) == {"r": "/"}
    assert TokenSigner("new").verify(rotated.sign({"r": "/"})) == {"r": "/"}


def test_secrets_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ROOST_SECRET", "from-env")
    assert TokenSigner("from-env").verify(TokenSigner().sign({"a": 1})) == {"a": 1}


def test_the_secret_may_come_from_a_file(tmp_path, monkeypatch):
    from roost.server.tokens import TokenSigner

    (tmp_path / "secret").write_text("from-a-file, older\n")
    monkeypatch.delenv("ROOST_SECRET", raising=False)
    monkeypatch.setenv("ROOST_SECRET_FILE", str(tmp_path / "secret"))
    signer = TokenSigner()
    assert signer.configured and signer.secrets == ["from-a-file", "older"]
    assert TokenSigner("from-a-file").verify(signer.sign({"a": 1})) == {"a": 1}
    monkeypatch.setenv("ROOST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(RuntimeError, match="cannot be read"):
        TokenSigner()
