from __future__ import annotations

from tests.redis_server import redis_process as redis_process
from tests.redis_server import redis_server as redis_server
