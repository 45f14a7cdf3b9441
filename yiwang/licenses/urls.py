"""The licenses app's pages: public verification under /verify/ and the seal directory under /licenses/, the
holder's 证照夹 and 免提交 under /my/licenses/, the console under /console/licenses/."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.licenses.views import public

app_name = "licenses"

urlpatterns: list[URLPattern] = [
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:identifier>", public.verify, name="verify"),
    path("licenses/seals.json", public.seal_directory, name="seal_directory"),
    path("licenses/seals/<str:seal_id>.png", public.seal_picture, name="seal_picture"),
]
