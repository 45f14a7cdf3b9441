"""The licenses app's pages: public verification under /verify/ and the seal directory under /licenses/, the
holder's 证照夹 and 免提交 under /my/licenses/, the console under /console/licenses/."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.licenses.views import console, public, wallet

app_name = "licenses"

MINE = "my/licenses/"
CONSOLE = "console/licenses/"

urlpatterns: list[URLPattern] = [
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:identifier>", public.verify, name="verify"),
    path("licenses/seals.json", public.seal_directory, name="seal_directory"),
    path("licenses/seals/<str:seal_id>.png", public.seal_picture, name="seal_picture"),
    path(MINE, wallet.wallet, name="wallet"),
    path(f"{MINE}share/<int:application_id>/", wallet.share, name="share"),
    path(f"{MINE}<str:identifier>/", wallet.wallet_license, name="wallet_license"),
    path(f"{MINE}<str:identifier>/pdf", wallet.wallet_pdf, name="wallet_pdf"),
    path(f"{MINE}<str:identifier>/file", wallet.wallet_file, name="wallet_file"),
    path(CONSOLE, console.console, name="console"),
    path(f"{CONSOLE}types/new/", console.type_new, name="type_new"),
    path(f"{CONSOLE}types/<str:code>/", console.type_edit, name="type_edit"),
    path(f"{CONSOLE}seals/new/", console.seal_new, name="seal_new"),
    path(f"{CONSOLE}seals/<int:seal_pk>/", console.seal_detail, name="seal_detail"),
    path(f"{CONSOLE}issued/<str:identifier>/revoke/", console.revoke, name="revoke"),
    path(f"{CONSOLE}case/<int:application_id>/<str:identifier>/", console.case_license, name="case_license"),
]
