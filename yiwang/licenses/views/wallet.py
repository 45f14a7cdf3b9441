"""The holder's pages: 证照夹 (their own licenses and those of the enterprises they act for), one license with its
用证记录 and downloads, and 免提交 — using a license for an application's material, with explicit consent.

They are for citizens (an enterprise's agents are citizens): staff get a 403 page, and a license or application
that is not the citizen's is as unknown as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.core.errors import Conflict, NotFound, YiwangError
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.identity.access import citizen_required
from yiwang.licenses import selectors, services
from yiwang.licenses.documents import Status, read_license_file
from yiwang.licenses.forms import ShareForm
from yiwang.licenses.models import License
from yiwang.licenses.rendering import license_pdf, license_rows
from yiwang.licenses.views.public import STATUS_WORDS


@dataclass(frozen=True)
class WalletLine:
    license: License
    status: Status
    status_word: str


def license_line(license: License) -> WalletLine:
    """A license with its state today, in words (the wallet's and the console's lists)."""
    state = selectors.license_state(license)
    return WalletLine(license=license, status=state, status_word=str(STATUS_WORDS[state]))


def _held_or_404(request: HttpRequest, identifier: str) -> License:
    try:
        return selectors.license_held(actor=request.user, identifier=identifier)
    except NotFound as error:
        raise Http404(str(error)) from None


@citizen_required
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    """证照夹: the citizen's licenses and their enterprises', newest first, with their state today."""
    lines = [license_line(license) for license in selectors.licenses_held(actor=request.user)]
    return render(request, "licenses/wallet.html", {"lines": lines})


@citizen_required
@require_GET
def wallet_license(request: HttpRequest, identifier: str) -> HttpResponse:
    """One license of the holder: what it says, its state, its downloads and who used it for which case."""
    license = _held_or_404(request, identifier)
    context = {
        "line": license_line(license),
        "license": license,
        "rows": license_rows(read_license_file(license.document).data),
        "uses": selectors.license_uses(license=license),
    }
    return render(request, "licenses/wallet_license.html", context)


def _download(content: bytes | str, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"  # it carries the holder's ID number
    return response


@citizen_required
@require_GET
def wallet_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    """The license as PDF, with its seal and the QR code of its verification page."""
    license = _held_or_404(request, identifier)
    return _download(license_pdf(license), "application/pdf", f"{license.identifier}.pdf")


@citizen_required
@require_GET
def wallet_file(request: HttpRequest, identifier: str) -> HttpResponse:
    """The license file: its data and the seal's signature, verifiable offline with the seal directory."""
    license = _held_or_404(request, identifier)
    return _download(license.document, "application/json", f"{license.identifier}.json")


# --- 免提交 ------------------------------------------------------------------------------------------------------


def _offer_or_404(request: HttpRequest, application_id: int) -> selectors.ShareOffer:
    try:
        return selectors.share_offer(actor=request.user, application_id=application_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def _form(offer: selectors.ShareOffer, line: selectors.ShareLine, data: Any = None) -> ShareForm:
    return ShareForm(data, line=line, offer=offer)


def _render_share(
    request: HttpRequest,
    offer: selectors.ShareOffer,
    *,
    refused: ShareForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    lines = []
    for line in offer.lines:
        form = None
        if refused is not None and refused.for_material == line.material.material_id:
            form = refused
        elif offer.editable and line.licenses:
            form = _form(offer, line)
        lines.append((line, form))
    context = {"offer": offer, "lines": lines, "conflict": conflict}
    return render(request, "licenses/share.html", context, status=status)


@citizen_required
@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HttpRequest, application_id: int) -> HttpResponse:
    """The application's materials that an e-license answers; choosing one of one's licenses and agreeing to its
    use attaches it (trust level A) and records the use."""
    offer = _offer_or_404(request, application_id)
    if request.method != "POST":
        return _render_share(request, offer)
    try:
        material_id = int(request.POST.get("material_id", ""))
    except ValueError:
        material_id = 0
    line = next((line for line in offer.lines if line.material.material_id == material_id), None)
    if line is None:
        return _render_share(request, offer, conflict=_("Choose a material of this application."), status=400)
    form = _form(offer, line, request.POST)
    if not form.is_valid():
        return _render_share(request, offer, refused=form, status=400)
    try:
        shared = services.license_share(
            actor=request.user,
            application_id=offer.application_id,
            material_id=material_id,
            identifier=form.cleaned_data["identifier"],
        )
    except YiwangError as error:
        if isinstance(error, NotPermitted):
            raise PermissionDenied(str(error)) from None
        if isinstance(error, Conflict):
            return _render_share(request, offer, conflict=str(error), status=409)
        form.add_error("identifier", str(error.message))
        return _render_share(request, offer, refused=form, status=400)
    messages.success(
        request,
        _("Your %(license)s is attached to %(material)s: the department uses it directly.")
        % {"license": shared.license_type.name, "material": line.material.name},
    )
    return redirect("licenses:share", application_id=offer.application_id)
