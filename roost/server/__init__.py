"""The ASGI side: dead render, routes, client files, WebSocket, and the root tree."""

from .app import App as App
from .app import PageRedirect as PageRedirect
from .routing import Route as Route
from .routing import Router as Router
from .routing import query_params as query_params
from .runtime import Runtime as Runtime
