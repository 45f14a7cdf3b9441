"""Open311 GeoReport v2 under /open311/v2/: each resource with its format as suffix (`services.xml`,
`requests/2026120700001.json`); anything else answers the spec's 404 document."""

from __future__ import annotations

from django.urls import URLPattern, re_path

from yiwang.cases.open311 import views

app_name = "open311"

FORMAT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})$"

urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FORMAT, views.service_definition, name="service"),
    re_path(r"^requests" + FORMAT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<number>[^/]+?)" + FORMAT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FORMAT, views.token_detail, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
