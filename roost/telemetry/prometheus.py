"""Export roost's telemetry to Prometheus (``pip install roost[prometheus]``).

``install()`` subscribes to :mod:`roost.telemetry` and keeps, in a
``prometheus_client`` registry (the default one unless given):

- ``roost_duration_seconds{name}``: a histogram of each duration measured
  (``mount``, ``handle_params``, ``event``, ``render``, ``diff``,
  ``event_to_patch``, ``send``: a frame's write to its socket);
- ``roost_bytes_total{direction}``: bytes sent and received over sockets;
- ``roost_sessions_total{what}``: sessions ``joined``, ``resumed``, ``left``;
- ``roost_supervision_events_total{event}``: supervision events by kind.

Serve them as you serve any ``prometheus_client`` registry, for instance
``prometheus_client.make_asgi_app()`` mounted at ``/metrics`` of a host app,
or ``prometheus_client.start_http_server(9100)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

from . import Measurement, subscribe

__all__ = ["install"]

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def install(registry: CollectorRegistry | None = None) -> Callable[[], None]:
    """Start exporting into ``registry``; returns the function that stops it
    (and unregisters the metrics)."""
    registry = registry if registry is not None else REGISTRY
    durations = Histogram(
        "roost_duration_seconds",
        "How long each measured step took",
        ["name"],
        buckets=BUCKETS,
        registry=registry,
    )
    moved = Counter("roost_bytes", "Bytes over the sockets", ["direction"], registry=registry)
    sessions = Counter(
        "roost_sessions", "Sessions joined, resumed, left", ["what"], registry=registry
    )
    supervision = Counter(
        "roost_supervision_events", "Supervision events by kind", ["event"], registry=registry
    )

    def record(m: Measurement) -> None:
        meta: dict[str, Any] = m.meta
        if m.duration is not None:
            durations.labels(m.name).observe(m.duration)
        if m.name in ("send", "receive") and m.bytes is not None:
            moved.labels("sent" if m.name == "send" else "received").inc(m.bytes)
        elif m.name == "join":
            sessions.labels("resumed" if meta.get("resumed") else "joined").inc()
        elif m.name == "leave":
            sessions.labels("left").inc()
        elif m.name == "supervision":
            supervision.labels(str(meta.get("event"))).inc()

    unsubscribe = subscribe(record)

    def uninstall() -> None:
        unsubscribe()
        for metric in (durations, moved, sessions, supervision):
            registry.unregister(metric)

    return uninstall
