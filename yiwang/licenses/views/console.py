"""The console's pages under /console/licenses/: license types (a department's item administrators, platform
administrators), seals (made, suspended, reinstated and revoked by platform administrators), the licenses a
department issued (its approvers revoke them), and a license an applicant shared with a case, opened by the
handling department's staff.

Another department's type or seal is as unknown as a missing one; the services decide who may change what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import Conflict, NotFound, YiwangError
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role
from yiwang.licenses import selectors, services
from yiwang.licenses.documents import read_license_file
from yiwang.licenses.forms import LicenseTypeForm, RevokeForm, SealForm, SealStatusForm, elements_text
from yiwang.licenses.models import LicenseType, Seal
from yiwang.licenses.rendering import license_pdf, license_rows
from yiwang.licenses.views.public import verdict_context
from yiwang.licenses.views.wallet import WalletLine, license_line
from yiwang.org.selectors import department_get, department_list

CONSOLE_ROLES = (Role.ITEM_ADMIN, Role.APPROVER, Role.PLATFORM_ADMIN)
TYPE_ROLES = (Role.ITEM_ADMIN, Role.PLATFORM_ADMIN)
REVOKE_ROLES = (Role.APPROVER, Role.PLATFORM_ADMIN)


@dataclass(frozen=True)
class Viewer:
    """What the signed-in staff member may see and do on these pages."""

    user: Any
    is_admin: bool
    keeps_types: bool
    revokes: bool


def _viewer(request: HttpRequest) -> Viewer:
    user: Any = request.user
    return Viewer(
        user=user,
        is_admin=user.has_role(Role.PLATFORM_ADMIN),
        keeps_types=user.has_role(*TYPE_ROLES),
        revokes=user.has_role(*REVOKE_ROLES),
    )


def _refuse_unreachable(error: YiwangError) -> None:
    if isinstance(error, NotFound):
        raise Http404(str(error)) from None
    if isinstance(error, NotPermitted):
        raise PermissionDenied(str(error)) from None


# --- the overview ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedLine:
    line: WalletLine
    form: RevokeForm


def _render_console(
    request: HttpRequest,
    *,
    revoking: str = "",
    revoke_form: RevokeForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    viewer = _viewer(request)
    types: list[LicenseType] = []
    if viewer.keeps_types:
        types = selectors.license_types(department_id=None if viewer.is_admin else viewer.user.department_id)
    issued: list[IssuedLine] = []
    if viewer.revokes:
        issued = [
            IssuedLine(
                line=license_line(license),
                form=revoke_form
                if revoke_form is not None and license.identifier == revoking
                else RevokeForm(auto_id=f"id_revoke-{license.pk}-%s"),
            )
            for license in selectors.issued_licenses(actor=viewer.user)
        ]
    context = {
        "viewer": viewer,
        "types": types,
        "seals": selectors.seals(actor=viewer.user),
        "issued": issued,
        "revoking": revoking,
        "conflict": conflict,
    }
    return render(request, "licenses/console/overview.html", context, status=status)


@staff_required(*CONSOLE_ROLES)
@require_http_methods(["GET", "HEAD"])
def console(request: HttpRequest) -> HttpResponse:
    """License types, seals and issued licenses, each for the roles that keep them."""
    return _render_console(request)


@staff_required(*REVOKE_ROLES)
@require_POST
def revoke(request: HttpRequest, identifier: str) -> HttpResponse:
    """Revoke an issued license with the reason (the issuing department's approvers, platform administrators)."""
    license = selectors.license_get(identifier=identifier)
    if license is None:
        raise Http404(_("No license has this identifier."))
    form = RevokeForm(request.POST, auto_id=f"id_revoke-{license.pk}-%s")
    if not form.is_valid():
        return _render_console(request, revoking=identifier, revoke_form=form, status=400)
    try:
        services.license_revoke(actor=request.user, identifier=identifier, reason=form.cleaned_data["reason"])
    except YiwangError as error:
        _refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _render_console(request, conflict=str(error), status=409)
        form.add_error("reason" if error.field == "reason" else None, str(error.message))
        return _render_console(request, revoking=identifier, revoke_form=form, status=400)
    messages.success(request, _("License %(identifier)s is revoked.") % {"identifier": identifier})
    return redirect("licenses:console")


# --- license types --------------------------------------------------------------------------------------------


def _type_form(viewer: Viewer, *, data: Any = None, **kwargs: Any) -> LicenseTypeForm:
    if viewer.is_admin:
        departments = [(department.id, department.name) for department in department_list()]
    else:
        own = department_get(department_id=viewer.user.department_id) if viewer.user.department_id else None
        departments = [(own.id, own.name)] if own is not None else []
    seals = [
        (seal.pk, f"{seal.name} ({seal.seal_id}) · {seal.get_status_display()}")
        for seal in selectors.seals(actor=viewer.user)
    ]
    return LicenseTypeForm(data, departments=departments, seals=seals, **kwargs)


def _type_or_404(viewer: Viewer, code: str) -> LicenseType:
    try:
        license_type = selectors.license_type_get(code=code)
    except NotFound as error:
        raise Http404(str(error)) from None
    if not services.may_edit_types(viewer.user, license_type.department_id):
        raise Http404(_("No license type has this code."))
    return license_type


def _save_type(
    request: HttpRequest, viewer: Viewer, form: LicenseTypeForm, existing: LicenseType | None
) -> HttpResponse:
    template = "licenses/console/type_form.html"
    context = {"form": form, "license_type": existing}
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        saved = services.license_type_save(actor=request.user, data=form.type_input())
    except YiwangError as error:
        _refuse_unreachable(error)
        form.service_error(error.field, str(error.message))
        return render(request, template, context, status=409 if isinstance(error, Conflict) else 400)
    messages.success(request, _("License type %(name)s is saved.") % {"name": saved.name})
    return redirect("licenses:console")


@staff_required(*TYPE_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def type_new(request: HttpRequest) -> HttpResponse:
    """A new license type of the viewer's department (any department's for platform administrators)."""
    viewer = _viewer(request)
    if request.method == "POST":
        return _save_type(request, viewer, _type_form(viewer, data=request.POST), None)
    initial = {"department": viewer.user.department_id, "active": True, "holder_kind": "person"}
    form = _type_form(viewer, initial=initial)
    return render(request, "licenses/console/type_form.html", {"form": form, "license_type": None})


@staff_required(*TYPE_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def type_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change a license type (its code stays): what licenses issued from now on say."""
    viewer = _viewer(request)
    license_type = _type_or_404(viewer, code)
    initial = {
        "code": license_type.code,
        "name": license_type.name,
        "department": license_type.department_id,
        "holder_kind": license_type.holder_kind,
        "elements": elements_text(license_type.elements),
        "validity_years": license_type.validity_years,
        "seal": license_type.seal_id,
        "active": license_type.active,
    }
    if request.method == "POST":
        form = _type_form(viewer, data=request.POST, initial=initial, code_fixed=True)
        return _save_type(request, viewer, form, license_type)
    form = _type_form(viewer, initial=initial, code_fixed=True)
    return render(request, "licenses/console/type_form.html", {"form": form, "license_type": license_type})


# --- seals ----------------------------------------------------------------------------------------------------


@staff_required(Role.PLATFORM_ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def seal_new(request: HttpRequest) -> HttpResponse:
    """Make a seal for a department: a new key pair, its certificate and picture."""
    departments = [(department.id, department.name) for department in department_list()]
    form = SealForm(request.POST or None, departments=departments)
    if request.method != "POST":
        return render(request, "licenses/console/seal_new.html", {"form": form})
    if not form.is_valid():
        return render(request, "licenses/console/seal_new.html", {"form": form}, status=400)
    try:
        seal = services.seal_create(
            actor=request.user,
            data=services.SealInput(
                department_id=form.cleaned_data["department"],
                purpose=form.cleaned_data["purpose"],
                valid_years=form.cleaned_data["valid_years"],
            ),
        )
    except YiwangError as error:
        if isinstance(error, NotPermitted):
            raise PermissionDenied(str(error)) from None
        form.service_error(error.field, str(error.message))
        return render(request, "licenses/console/seal_new.html", {"form": form}, status=400)
    messages.success(request, _("The seal %(name)s is made.") % {"name": seal.name})
    return redirect("licenses:seal_detail", seal_pk=seal.pk)


def _render_seal(
    request: HttpRequest, seal: Seal, *, form: SealStatusForm | None = None, conflict: str = "", status: int = 200
) -> HttpResponse:
    viewer = _viewer(request)
    context = {
        "seal": seal,
        "fingerprint": sm3_hex(bytes(seal.certificate)),
        "form": (form or SealStatusForm()) if viewer.is_admin else None,
        "conflict": conflict,
    }
    return render(request, "licenses/console/seal.html", context, status=status)


@staff_required(*CONSOLE_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def seal_detail(request: HttpRequest, seal_pk: int) -> HttpResponse:
    """A seal: its picture, code, status, certificate fingerprint and validity; platform administrators change
    its status here."""
    try:
        seal = selectors.seal_visible(actor=request.user, seal_pk=seal_pk)
    except NotFound as error:
        raise Http404(str(error)) from None
    if request.method != "POST":
        return _render_seal(request, seal)
    if not _viewer(request).is_admin:
        raise PermissionDenied(_("Only platform administrators suspend, reinstate or revoke seals."))
    form = SealStatusForm(request.POST)
    if not form.is_valid():
        return _render_seal(request, seal, form=form, status=400)
    try:
        changed = services.seal_change_status(
            actor=request.user,
            seal_pk=seal.pk,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except YiwangError as error:
        _refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _render_seal(request, seal, form=form, conflict=str(error), status=409)
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return _render_seal(request, seal, form=form, status=400)
    messages.success(
        request,
        _("The seal %(name)s is now: %(status)s.") % {"name": changed.name, "status": changed.get_status_display()},
    )
    return redirect("licenses:seal_detail", seal_pk=seal.pk)


# --- a license shared with a case -----------------------------------------------------------------------------


@staff_required()
@require_http_methods(["GET", "HEAD"])
def case_license(request: HttpRequest, application_id: int, identifier: str) -> HttpResponse:
    """The e-license an applicant shared with a case, opened by staff who may see the case: verified now, its
    data, its PDF (`?format=pdf`); the holder sees the use in their license's record."""
    try:
        opened = services.license_open_for_case(
            actor=request.user, application_id=application_id, identifier=identifier
        )
    except NotFound as error:
        raise Http404(str(error)) from None
    license = opened.license
    if request.GET.get("format") == "pdf":
        response = HttpResponse(license_pdf(license), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{license.identifier}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    context = verdict_context(opened.verdict) | {
        "license": license,
        "application_id": application_id,
        "application_number": opened.application_number,
        "rows": license_rows(read_license_file(license.document).data),
    }
    return render(request, "licenses/console/case_license.html", context)
