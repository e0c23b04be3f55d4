"""The example dashboard page, with roost's live dashboard at /dev/dashboard."""

from examples.dashboard import DashboardView
from roost import App

app = App({"/": DashboardView}, dashboard="/dev/dashboard")
