"""URL map: the portal at /, the console at /console/, the JSON API at /api/v1/, OpenID Connect at /o/."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from yiwang.config.api import api
from yiwang.exchange.gateway import gateway

admin.site.site_header = "Yiwang · 一网通"
admin.site.site_title = "Yiwang"
admin.site.index_title = "System administration"

urlpatterns = [
    # The admin has no login of its own: sign-in (with the second factor) goes through identity.
    path("console/admin/login/", RedirectView.as_view(pattern_name="identity:login", query_string=True)),
    path("console/admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("gateway/v1/", gateway.urls),
    path("", include("yiwang.identity.oidc_urls")),
    path("", include("yiwang.identity.urls")),
    path("console/datahub/", include("yiwang.datahub.urls")),
    path("", include("yiwang.exchange.urls")),
    path("", include("yiwang.licenses.urls")),
    path("", include("yiwang.cases.urls")),
    path("open311/v2/", include("yiwang.cases.open311.urls")),
    path("", include("yiwang.services.urls")),
    path("", include("yiwang.web.urls")),
]

handler400 = "yiwang.web.errors.bad_request"
handler403 = "yiwang.web.errors.permission_denied"
handler404 = "yiwang.web.errors.page_not_found"
handler500 = "yiwang.web.errors.server_error"
