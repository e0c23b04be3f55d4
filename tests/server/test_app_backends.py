"""App(pubsub=, store=): a backend URL (a new backend each time the tree starts),
a backend object (that very object each time), or None (in memory)."""

from __future__ import annotations

from typing import Any

import pytest

from roost import App, LiveView, event
from roost.pubsub import MemoryPubSub
from roost.server import Runtime
from roost.store import MemoryStore
from roost.testing import LiveClient


class Poster(LiveView):
    def mount(self, params, session):
        self.posts = 0

    def render(self) -> str:
        return f'<p id="posts">{self.posts}</p><button id="post" roost-click="post">post</button>'

    @event
    def post(self):
        self.posts += 1
        self.broadcast("news", self.posts)


ROUTES = {"/": Poster}


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    def __call__(self, topic: str, message: Any) -> None:
        self.messages.append(message)


def test_by_default_each_runtime_gets_new_in_memory_backends():
    app = App(ROUTES)
    one, two = Runtime(app), Runtime(app)
    assert isinstance(one.pubsub, MemoryPubSub) and isinstance(one.store, MemoryStore)
    assert one.pubsub is not two.pubsub
    assert one.store is not two.store


def test_a_url_makes_a_new_backend_for_each_runtime():
    app = App(ROUTES, pubsub="memory://", store="memory://")
    one, two = Runtime(app), Runtime(app)
    assert isinstance(one.pubsub, MemoryPubSub) and isinstance(one.store, MemoryStore)
    assert one.pubsub is not two.pubsub
    assert one.store is not two.store


def test_a_backend_object_is_used_by_every_runtime():
    pubsub, store = MemoryPubSub(), MemoryStore()
    app = App(ROUTES, pubsub=pubsub, store=store)
    for runtime in (Runtime(app), Runtime(app)):
        assert runtime.pubsub is pubsub
        assert runtime.store is store


async def test_the_views_broadcast_through_the_apps_pubsub_object():
    pubsub = MemoryPubSub()
    inbox = Inbox()
    pubsub.subscribe("news", inbox)
    app = App(ROUTES, pubsub=pubsub)
    async with LiveClient.mount(app, "/") as view:
        await view.click("#post")
        assert app.runtime is not None and app.runtime.pubsub is pubsub
    async with LiveClient.mount(app, "/") as view:  # a second start of the tree
        await view.click("#post")
    assert inbox.messages == [1, 1]


async def test_a_store_object_keeps_its_values_across_starts_of_the_tree():
    store = MemoryStore()
    app = App(ROUTES, store=store)
    async with app.lifespan():
        assert app.runtime is not None and app.runtime.store is store
        await app.runtime.store.put("kept", b"value")
    async with app.lifespan():
        assert app.runtime is not None and app.runtime.store is store
        assert await app.runtime.store.get("kept") == b"value"


async def test_a_url_store_starts_empty_each_time():
    app = App(ROUTES, store="memory://")
    async with app.lifespan():
        assert app.runtime is not None
        await app.runtime.store.put("lost", b"value")
    async with app.lifespan():
        assert app.runtime is not None
        assert await app.runtime.store.get("lost") is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pubsub": 42}, "pubsub must be a backend URL"),
        ({"pubsub": b"memory://"}, "not bytes"),
        ({"pubsub": MemoryStore()}, "PubSub backend object or None, not MemoryStore"),
        ({"store": MemoryPubSub()}, "Store backend object or None, not MemoryPubSub"),
        ({"pubsub": MemoryPubSub}, r"not the class MemoryPubSub \(pass MemoryPubSub\(...\)\)"),
        ({"store": MemoryStore}, "store must be a backend object, not the class MemoryStore"),
    ],
)
def test_anything_else_is_a_type_error_at_construction(kwargs, match):
    with pytest.raises(TypeError, match=match):
        App(ROUTES, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pubsub": "nats://host"}, "unsupported pubsub URL: scheme 'nats'"),
        ({"store": "memory://somewhere"}, "takes no host"),
        ({"store": ""}, "unsupported store URL: no scheme"),
    ],
)
def test_a_url_no_backend_serves_is_a_value_error_at_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        App(ROUTES, **kwargs)
