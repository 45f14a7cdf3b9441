"""The bundle pages (一件事一次办): the published bundles and each one's guide, open to all (/services/bundles/);
the applicant's bundle applications under /my/bundles/: the merged form, one upload per material, one
submission, then the one status and each department's sub-application.

The applicant's pages are for citizens (an enterprise's agents are citizens): staff get a 403 page, and a bundle
application that is not the citizen's own (or their enterprise's) is as unknown as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yiwang.core.errors import Conflict, NotFound, YiwangError
from yiwang.core.forms import add_service_error
from yiwang.identity.access import citizen_required
from yiwang.identity.selectors import acting_enterprise_id, enterprises_for
from yiwang.services import bundles
from yiwang.services.applications.form_schema import FormInvalid
from yiwang.services.applications.selectors import ApplicationSummary, application_detail
from yiwang.services.forms import ActionForm, ApplicationAnswersForm
from yiwang.services.forms_bundles import BundleMaterialForm
from yiwang.services.models import Application
from yiwang.services.views.applications.display import Countdown, countdown_of
from yiwang.services.views.common import refuse_unreachable

SOURCE_LABELS = {
    "license": gettext_lazy("No need to submit: the departments obtain it from your e-licenses"),
    "registry": gettext_lazy("No need to submit: the departments obtain it from base registries"),
    "department": gettext_lazy("Produced by the handling department"),
}


# --- the public pages ------------------------------------------------------------------------------------------


@require_GET
def bundle_list(request: HttpRequest) -> HttpResponse:
    """The published bundles, each with its items and their departments."""
    return render(request, "services/bundles/list.html", {"bundles": bundles.bundles_published()})


def _bundle_or_404(code: str) -> Any:
    try:
        return bundles.bundle_get(code=code)
    except NotFound as error:
        raise Http404(str(error)) from None


def _enterprise_name(request: HttpRequest) -> str:
    """The enterprise the signed-in citizen acts for now, if any: a bundle started now is that enterprise's."""
    user: Any = request.user
    if not user.is_authenticated:
        return ""
    enterprise_id = acting_enterprise_id(cast(dict[str, object], request.session), user)
    return next((link.name for link in enterprises_for(user) if link.enterprise_id == enterprise_id), "")


def _render_guide(
    request: HttpRequest, code: str, *, form: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    bundle = _bundle_or_404(code)
    try:
        info = bundles.bundle_info(bundle)
        merged = bundles.bundle_form(bundle)
    except NotFound as error:  # an item of the bundle was retired since it was published
        raise Http404(str(error)) from None
    names = {item.task_code: item.name for item in info.items}
    context = {
        "bundle": info,
        "materials": [(material, [names.get(code, code) for code in material.items]) for material in merged.materials],
        "fetched": [(material, SOURCE_LABELS.get(material.source, "")) for material in merged.fetched],
        "departments": list(dict.fromkeys(item.department for item in info.items)),
        "form": form or ActionForm(),
        "enterprise": _enterprise_name(request),
    }
    return render(request, "services/bundles/guide.html", context, status=status)


@require_GET
def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    """One bundle's guide: its items and departments, the merged materials, and the way to start."""
    return _render_guide(request, code)


@citizen_required
@require_POST
def bundle_start(request: HttpRequest, code: str) -> HttpResponse:
    """Start a bundle application (one draft per item), for oneself or the enterprise one acts for now."""
    user: Any = request.user
    form = ActionForm(request.POST)
    try:
        started = bundles.bundle_application_start(
            actor=user,
            bundle_code=code,
            form_data={},
            enterprise_id=acting_enterprise_id(cast(dict[str, object], request.session), user),
        )
    except YiwangError as error:
        refuse_unreachable(error)
        form.is_valid()
        add_service_error(form, error)
        return _render_guide(request, code, form=form, status=409 if isinstance(error, Conflict) else 400)
    messages.success(
        request, _("Your bundle application is saved as a draft. Fill in the form, upload the materials, then submit.")
    )
    return redirect("services:my_bundle", bundle_application_id=started.pk)


# --- the applicant's pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubLine:
    summary: ApplicationSummary
    countdown: Countdown | None


def _detail_or_404(request: HttpRequest, bundle_application_id: int) -> bundles.BundleApplicationDetail:
    try:
        return bundles.bundle_application_detail(actor=request.user, bundle_application_id=bundle_application_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def _subs(request: HttpRequest, detail: bundles.BundleApplicationDetail) -> list[Application]:
    return [application_detail(actor=request.user, application_id=summary.id) for summary in detail.applications]


def _merged(detail: bundles.BundleApplicationDetail) -> bundles.BundleForm:
    """The bundle's merged form now; a bundle or item withdrawn from the guide since is a conflict, not a crash."""
    try:
        return bundles.bundle_form(bundles.bundle_get(code=detail.bundle))
    except NotFound as error:
        raise Conflict(error.message, code="status_changed") from None


def _render(
    request: HttpRequest,
    bundle_application_id: int,
    *,
    answers: ApplicationAnswersForm | None = None,
    upload: BundleMaterialForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    detail = _detail_or_404(request, bundle_application_id)
    draft = detail.progress.code == "draft"
    context: dict[str, Any] = {
        "detail": detail,
        "progress": detail.progress,
        "draft": draft,
        "conflict": conflict,
        "subs": [SubLine(summary=summary, countdown=countdown_of(summary.clock)) for summary in detail.applications],
    }
    if draft:
        try:
            merged = _merged(detail)
        except Conflict as error:
            context |= {"draft": False, "conflict": conflict or str(error)}
            return render(request, "services/bundles/application.html", context, status=409 if conflict else status)
        context |= {
            "answers_form": answers or ApplicationAnswersForm(initial=detail.form_data, schema=merged.schema),
            "upload_form": upload or BundleMaterialForm(materials=[material.name for material in merged.materials]),
            "materials": bundles.bundle_material_lines(merged, _subs(request, detail)),
            "fetched": [(material, SOURCE_LABELS.get(material.source, "")) for material in merged.fetched],
        }
    return render(request, "services/bundles/application.html", context, status=status)


@citizen_required
@require_GET
def my_bundles(request: HttpRequest) -> HttpResponse:
    """The citizen's bundle applications, newest first, with their one status."""
    return render(request, "services/bundles/mine.html", {"lines": bundles.bundle_applications_of(actor=request.user)})


@citizen_required
@require_GET
def my_bundle(request: HttpRequest, bundle_application_id: int) -> HttpResponse:
    """A bundle application: the merged form and materials while a draft; then its one status and each item's."""
    return _render(request, bundle_application_id)


@citizen_required
@require_POST
def my_bundle_form(request: HttpRequest, bundle_application_id: int) -> HttpResponse:
    """Save the merged answers, or save and submit every item at once (the button pressed says which)."""
    detail = _detail_or_404(request, bundle_application_id)
    submitting = request.POST.get("action") == "submit"
    try:
        merged = _merged(detail)
    except Conflict as error:
        return _render(request, detail.id, conflict=str(error), status=409)
    form = ApplicationAnswersForm(request.POST, schema=merged.schema)
    form.is_valid()  # always: the fields keep what was typed, the schema judges on submission
    try:
        bundles.bundle_application_save(
            actor=request.user, bundle_application_id=detail.id, form_data=form.answers(saved=detail.form_data)
        )
        if submitting:
            submitted = bundles.bundle_application_submit(actor=request.user, bundle_application_id=detail.id)
    except FormInvalid as invalid:
        form.add_problems(invalid.problems)
        return _render(request, detail.id, answers=form, status=400)
    except YiwangError as error:
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _render(request, detail.id, conflict=str(error), status=409)
        if error.field == "materials":  # required materials missing: said where materials are uploaded
            upload = BundleMaterialForm(materials=[material.name for material in merged.materials])
            upload.cleaned_data = {}  # an unbound form, given the refusal as an error of its material field
            upload.add_error("material_name", str(error.message))
            return _render(request, detail.id, answers=form, upload=upload, status=400)
        add_service_error(form, error)
        return _render(request, detail.id, answers=form, status=400)
    if submitting:
        messages.success(
            request,
            _("Your bundle application is submitted. Its number is %(number)s.") % {"number": submitted.number},
        )
    else:
        messages.success(request, _("Your draft is saved."))
    return redirect("services:my_bundle", bundle_application_id=detail.id)


@citizen_required
@require_POST
def my_bundle_material(request: HttpRequest, bundle_application_id: int) -> HttpResponse:
    """Upload one file for a material by name: every item of the bundle asking for it receives it."""
    detail = _detail_or_404(request, bundle_application_id)
    try:
        if detail.progress.code != "draft":
            raise Conflict(
                _("Bundle application %(number)s is submitted: it can no longer be changed.")
                % {"number": detail.number}
            )
        merged = _merged(detail)
    except Conflict as error:
        return _render(request, detail.id, conflict=str(error), status=409)
    form = BundleMaterialForm(request.POST, request.FILES, materials=[material.name for material in merged.materials])
    if not form.is_valid():
        return _render(request, detail.id, upload=form, status=400)
    try:
        bundles.bundle_material_upload(
            actor=request.user,
            bundle_application_id=detail.id,
            material_name=form.cleaned_data["material_name"],
            file=form.cleaned_data["file"],
        )
    except YiwangError as error:
        if isinstance(error, NotFound) and error.field == "material_name":
            add_service_error(form, error)  # no item asks for it (any more): an error of the form, not a 404
            return _render(request, detail.id, upload=form, status=400)
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _render(request, detail.id, conflict=str(error), status=409)
        add_service_error(form, error)
        return _render(request, detail.id, upload=form, status=400)
    messages.success(
        request,
        _("%(material)s is uploaded for every item that asks for it.")
        % {"material": form.cleaned_data["material_name"]},
    )
    return redirect("services:my_bundle", bundle_application_id=detail.id)
