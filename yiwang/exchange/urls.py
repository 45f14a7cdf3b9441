"""Console pages of the exchange under /console/exchange/, and the citizen's page of who used their data."""

from django.urls import path

from yiwang.exchange import views

app_name = "exchange"

urlpatterns = [
    path("console/exchange/consumers/", views.consumers, name="consumers"),
    path("console/exchange/requests/", views.requests, name="requests"),
    path("console/exchange/demands/", views.demands, name="demands"),
    path("console/exchange/log/", views.log, name="log"),
    path("console/exchange/statistics/", views.statistics, name="statistics"),
    path("my/data-use/", views.my_data_use, name="my_data_use"),
]
