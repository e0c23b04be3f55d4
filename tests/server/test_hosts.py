"""Which Host names an app serves, and whose Origin may open its sockets."""

from __future__ import annotations

import pytest

from roost.server.hosts import HostCheck, origin_refusal


def scope(host: str | None, origin: str | None = None, scheme: str = "ws") -> dict:
    headers = []
    if host is not None:
        headers.append((b"host", host.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"headers": headers, "scheme": scheme}


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:5", "[::1]:80", "LOCALHOST"])
def test_by_default_only_the_loopback_names_are_served(host, monkeypatch):
    monkeypatch.delenv("ROOST_ALLOWED_HOSTS", raising=False)
    assert HostCheck().allows(host)


def test_a_foreign_host_is_refused_by_default_dns_rebinding(monkeypatch):
    monkeypatch.delenv("ROOST_ALLOWED_HOSTS", raising=False)
    refusal = HostCheck().refusal(scope("attacker.example:8000"))
    assert refusal is not None and "allowed_hosts" in refusal


def test_allowed_hosts_match_exactly_or_by_subdomain_or_anything():
    check = HostCheck(["example.com", ".roost.dev"])
    assert check.allows("example.com:443") and not check.allows("www.example.com")
    assert check.allows("roost.dev") and check.allows("a.b.roost.dev")
    assert not check.allows("evilroost.dev")
    assert HostCheck(["*"]).allows("anything:1")


def test_the_environment_names_the_hosts(monkeypatch):
    monkeypatch.setenv("ROOST_ALLOWED_HOSTS", "app.example, .internal")
    check = HostCheck()
    assert check.allows("app.example") and check.allows("x.internal")
    assert not check.allows("localhost")


def test_a_request_without_host_is_refused():
    assert HostCheck(["*"]).refusal(scope(None)) is not None


@pytest.mark.parametrize(
    ("origin", "scheme", "ok"),
    [
        ("http://localhost:8000", "ws", True),
        ("https://localhost:8000", "ws", False),  # the scheme counts
        ("https://localhost:8000", "wss", True),
        ("http://localhost:8001", "ws", False),
        ("http://evil.example", "ws", False),
        (None, "ws", True),  # not a browser page
    ],
)
def test_an_origin_must_be_this_servers_scheme_host_and_port(origin, scheme, ok):
    refused = origin_refusal(scope("localhost:8000", origin, scheme))
    assert (refused is None) == ok


def test_roost_run_serves_the_address_it_listens_on_and_any_host_it_is_given(monkeypatch):
    from roost import App, LiveView, cli

    monkeypatch.delenv("ROOST_ALLOWED_HOSTS", raising=False)
    app = App({"/": LiveView})
    monkeypatch.setattr(cli, "load_app", lambda path: app)
    monkeypatch.setattr(cli, "serve", lambda app, host, port, admin=None: 0)
    assert cli.main(["run", "x:app", "--host", "10.0.0.5", "--allowed-host", "app.example"]) == 0
    assert app.hosts.allows("10.0.0.5:8000") and app.hosts.allows("app.example")
    assert app.hosts.allows("localhost") and not app.hosts.allows("other.example")
