"""The public pages: verification of a license by its identifier (what the QR code opens) or by its file, the
seal directory for offline verifiers, and the seal pictures. Open to everyone, signed in or not."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.licenses import selectors
from yiwang.licenses.documents import LicenseFileError, Status, Verdict
from yiwang.licenses.forms import IdentifierForm, LicenseFileForm

STATUS_WORDS = {
    Status.VALID: gettext_lazy("Valid"),
    Status.REVOKED: gettext_lazy("Revoked"),
    Status.EXPIRED: gettext_lazy("Expired"),
    Status.FORGED: gettext_lazy("Forged or unknown"),
}
STATUS_MEANINGS = {
    Status.VALID: gettext_lazy("The license was issued by the platform, its data are as signed, and it is in force."),
    Status.REVOKED: gettext_lazy("The license was issued by the platform but is no longer in force."),
    Status.EXPIRED: gettext_lazy("The license was issued by the platform but its validity has ended."),
    Status.FORGED: gettext_lazy("Do not trust this license: the platform did not issue it as shown."),
}


def verdict_context(verdict: Verdict) -> dict[str, Any]:
    """What the verdict template shows: the status in words, every reason, and the public data unless forged."""
    status = verdict.status
    return {
        "verdict": verdict,
        "status": status.value,
        "status_word": STATUS_WORDS[status],
        "status_meaning": STATUS_MEANINGS[status],
        "public": selectors.public_view(verdict),
    }


def _render_form(
    request: HttpRequest,
    *,
    identifier_form: IdentifierForm | None = None,
    file_form: LicenseFileForm | None = None,
    verdict: Verdict | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "identifier_form": identifier_form or IdentifierForm(),
        "file_form": file_form or LicenseFileForm(),
    }
    if verdict is not None:
        context |= verdict_context(verdict)
    return render(request, "licenses/verify_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type an identifier (GET: sent on to its page) or upload a license file (POST: its verdict shown here)."""
    if request.method == "POST":
        file_form = LicenseFileForm(request.POST, request.FILES)
        if not file_form.is_valid():
            return _render_form(request, file_form=file_form, status=400)
        try:
            verdict = selectors.license_verify_file(file_form.cleaned_data["file"])
        except LicenseFileError as error:
            file_form.add_error("file", str(error.message))
            return _render_form(request, file_form=file_form, status=400)
        return _render_form(request, verdict=verdict)
    if "identifier" in request.GET:
        identifier_form = IdentifierForm(request.GET)
        if not identifier_form.is_valid():
            return _render_form(request, identifier_form=identifier_form, status=400)
        return redirect("licenses:verify", identifier=identifier_form.cleaned_data["identifier"])
    return _render_form(request)


@require_GET
def verify(request: HttpRequest, identifier: str) -> HttpResponse:
    """The verdict on one identifier: valid, revoked, expired or forged, with every reason (a malformed
    identifier is answered too: forged, naming the wrong part)."""
    context = verdict_context(selectors.license_verify_identifier(identifier))
    return render(request, "licenses/verify.html", context | {"identifier": identifier})


@require_GET
def seal_directory(request: HttpRequest) -> HttpResponse:
    """The signed seal directory (seals.json) that offline verifiers load."""
    response = HttpResponse(selectors.seal_directory_file(), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="seals.json"'
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def seal_picture(request: HttpRequest, seal_id: str) -> HttpResponse:
    """A seal's picture as PNG (it is printed on every license it signs)."""
    picture = selectors.seal_picture(seal_id=seal_id)
    if picture is None:
        raise Http404(_("No seal has this code."))
    response = HttpResponse(picture, content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response
