"""pyview's side of the peer benchmark (pyview-web, Phoenix LiveView's protocol and JS).

    cd benchmarks/peers/apps/pyview && uvicorn app:app --port 8000

Each LiveView's template is the .html file next to its module, as pyview
looks it up. The tab bar is an ibis include (_tabbar.html): pyview's
LiveComponents need t-string templates, i.e. Python 3.14, and this machine's
newest Python is 3.13 (docs/performance.md).
"""

import os

from counter_view import CounterLiveView
from pyview import PyView, defaultRootTemplate
from pyview.vendor import ibis
from pyview.vendor.ibis.loaders import FileLoader
from rows_view import RowsLiveView
from starlette.staticfiles import StaticFiles
from tabs_view import TabsLiveView

app = PyView()
app.mount("/static", StaticFiles(packages=[("pyview", "static")]), name="static")
app.rootTemplate = defaultRootTemplate(title="pyview peers benchmark")
ibis.loader = FileLoader(os.path.dirname(os.path.abspath(__file__)))

app.add_live_view("/counter", CounterLiveView)
app.add_live_view("/tabs", TabsLiveView)
app.add_live_view("/rows", RowsLiveView)
