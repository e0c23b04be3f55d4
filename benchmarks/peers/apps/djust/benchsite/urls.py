from benchapp.views import CounterView, RowsView, TabsView
from django.urls import path

urlpatterns = [
    path("counter", CounterView.as_view(), name="counter"),
    path("tabs", TabsView.as_view(), name="tabs"),
    path("rows", RowsView.as_view(), name="rows"),
]
