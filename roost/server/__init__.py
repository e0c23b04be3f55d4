"""The ASGI side: dead render, client files, WebSocket, and the root tree."""

from .app import App as App
from .runtime import Runtime as Runtime
