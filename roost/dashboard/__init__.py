"""The live dashboard: a roost LiveView of the server it runs in.

``App(dashboard="/dev/dashboard")`` serves it at that path (off by
default): the supervision tree with kill and restart buttons, sessions,
restarts over time, mailbox depths, event-to-patch latency percentiles and
bytes over the sockets. It asks for the server's secret (HTTP Basic auth, any
user name, the ``ROOST_SECRET`` as password) whenever the server has one
configured; only a dev server without a secret shows it to anyone
(docs/operations.md).
"""

from .auth import allowed as allowed
from .auth import challenge as challenge
from .view import dashboard_view as dashboard_view
