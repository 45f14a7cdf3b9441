"""Console pages of the exchange under /console/exchange/, and the citizen's page of who used their data."""

from django.urls import path

from yiwang.exchange import views

app_name = "exchange"

CONSOLE = "console/exchange/"

# fixed paths before <int:…>/ paths of the same list, so that "new" or "elements" is never read as an id
urlpatterns = [
    path(f"{CONSOLE}consumers/", views.consumers, name="consumers"),
    path(f"{CONSOLE}consumers/<int:consumer_id>/", views.consumer, name="consumer"),
    path(f"{CONSOLE}consumers/<int:consumer_id>/rotate/", views.consumer_rotate, name="consumer_rotate"),
    path(f"{CONSOLE}consumers/<int:consumer_id>/revoke/", views.consumer_revoke, name="consumer_revoke"),
    path(f"{CONSOLE}consumers/<int:consumer_id>/rate-limit/", views.consumer_rate_limit, name="consumer_rate_limit"),
    path(f"{CONSOLE}requests/", views.requests, name="requests"),
    path(f"{CONSOLE}requests/new/", views.request_new, name="request_new"),
    path(f"{CONSOLE}requests/elements/", views.request_elements, name="request_elements"),
    path(f"{CONSOLE}requests/<int:request_id>/", views.request_detail, name="request"),
    path(f"{CONSOLE}requests/<int:request_id>/compliance/", views.request_compliance, name="request_compliance"),
    path(f"{CONSOLE}requests/<int:request_id>/decision/", views.request_decide, name="request_decide"),
    path(f"{CONSOLE}requests/<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path(f"{CONSOLE}requests/<int:request_id>/grant/revoke/", views.grant_revoke, name="grant_revoke"),
    path(f"{CONSOLE}demands/", views.demands, name="demands"),
    path(f"{CONSOLE}demands/<int:demand_id>/", views.demand, name="demand"),
    path(f"{CONSOLE}demands/<int:demand_id>/route/", views.demand_route, name="demand_route"),
    path(f"{CONSOLE}demands/<int:demand_id>/answer/", views.demand_answer, name="demand_answer"),
    path(f"{CONSOLE}log/", views.log, name="log"),
    path(f"{CONSOLE}log/export.csv", views.log_export, name="log_export"),
    path(f"{CONSOLE}statistics/", views.statistics, name="statistics"),
    path("my/data-use/", views.my_data_use, name="my_data_use"),
]
