"""Console pages of the exchange under /console/exchange/, and the citizen's page of who used their data."""

from django.urls import path

from yiwang.exchange.views import consumers, demands, log, requests

app_name = "exchange"

CONSOLE = "console/exchange/"

# fixed paths before <int:…>/ paths of the same list, so that "new" or "elements" is never read as an id
urlpatterns = [
    path(f"{CONSOLE}consumers/", consumers.consumers, name="consumers"),
    path(f"{CONSOLE}consumers/<int:consumer_id>/", consumers.consumer, name="consumer"),
    path(f"{CONSOLE}consumers/<int:consumer_id>/rotate/", consumers.consumer_rotate, name="consumer_rotate"),
    path(f"{CONSOLE}consumers/<int:consumer_id>/revoke/", consumers.consumer_revoke, name="consumer_revoke"),
    path(
        f"{CONSOLE}consumers/<int:consumer_id>/rate-limit/", consumers.consumer_rate_limit, name="consumer_rate_limit"
    ),
    path(f"{CONSOLE}requests/", requests.requests, name="requests"),
    path(f"{CONSOLE}requests/new/", requests.request_new, name="request_new"),
    path(f"{CONSOLE}requests/elements/", requests.request_elements, name="request_elements"),
    path(f"{CONSOLE}requests/<int:request_id>/", requests.request_detail, name="request"),
    path(f"{CONSOLE}requests/<int:request_id>/compliance/", requests.request_compliance, name="request_compliance"),
    path(f"{CONSOLE}requests/<int:request_id>/decision/", requests.request_decide, name="request_decide"),
    path(f"{CONSOLE}requests/<int:request_id>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path(f"{CONSOLE}requests/<int:request_id>/grant/revoke/", requests.grant_revoke, name="grant_revoke"),
    path(f"{CONSOLE}demands/", demands.demands, name="demands"),
    path(f"{CONSOLE}demands/<int:demand_id>/", demands.demand, name="demand"),
    path(f"{CONSOLE}demands/<int:demand_id>/route/", demands.demand_route, name="demand_route"),
    path(f"{CONSOLE}demands/<int:demand_id>/answer/", demands.demand_answer, name="demand_answer"),
    path(f"{CONSOLE}log/", log.log, name="log"),
    path(f"{CONSOLE}log/export.csv", log.log_export, name="log_export"),
    path(f"{CONSOLE}statistics/", log.statistics, name="statistics"),
    path("my/data-use/", log.my_data_use, name="my_data_use"),
]
