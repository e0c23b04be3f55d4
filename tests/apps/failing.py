"""An app whose own service fails at once, every time: the root gives up."""

import anyio

from roost import App, LiveView
from roost.supervisor import ChildSpec


class Empty(LiveView):
    def render(self):
        return "<p>never served</p>"


async def flaky(*, task_status=anyio.TASK_STATUS_IGNORED):
    task_status.started()
    raise RuntimeError("the database is on fire")


app = App({"/": Empty}, children=[ChildSpec("db", flaky)])
