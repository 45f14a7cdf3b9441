"""The applicant's application page beyond its form: filling a draft from the base registries with consent; the
materials (upload, replace, remove, download) while a draft or a supplement notice is open, read-only after; and
rating each service event once it happened (好差评).

Citizens only, as the rest of /my/applications/: staff get a 403 page, another person's application is as unknown
as a missing one. The services decide; a refusal is shown on the form it is about (400), a change of status by
someone else prominently (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yiwang.core.errors import Conflict, YiwangError
from yiwang.core.forms import add_service_error
from yiwang.identity.access import citizen_required
from yiwang.services import ratings
from yiwang.services.applications.materials import EDITABLE, material_remove, material_upload, materials_missing
from yiwang.services.applications.prefill import application_prefill, prefill_fields
from yiwang.services.forms_applicant import MaterialFileForm, OtherDocumentForm, RatingForm
from yiwang.services.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Material,
    MaterialForm,
    MaterialSource,
    RatedEvent,
    Rating,
    RatingChannel,
)
from yiwang.services.models.ratings import ONLINE_INDICATORS
from yiwang.services.ratings import rated_events_happened
from yiwang.services.views.applications.display import application_or_404
from yiwang.services.views.common import refuse_unreachable

OTHER = "other"  # the key of the extra document's form, where a material's id would be
LEVEL_LABELS = dict(Rating._meta.get_field("level").choices or [])


# --- what the page shows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialLine:
    """A material the item asks for, with the applicant's current file and, while it may change, its form."""

    material: Material
    fetched: bool  # obtained by the department (免提交): nothing to upload
    upload: ApplicationMaterial | None
    form: MaterialFileForm | None


@dataclass(frozen=True)
class GivenRating:
    rating: Rating
    event: str
    level: str
    indicators: list[tuple[str, str]]  # indicator's name, level


@dataclass(frozen=True)
class RatingChance:
    event: str
    label: str
    form: RatingForm


def _material_form(material: Material, data: Any = None, files: Any = None) -> MaterialFileForm:
    documents = material.form in {MaterialForm.ELECTRONIC, MaterialForm.EITHER}
    return MaterialFileForm(
        data, files, material_name=material.name, documents=documents, auto_id=f"id_material-{material.pk}-%s"
    )


def _other_form(data: Any = None, files: Any = None) -> OtherDocumentForm:
    return OtherDocumentForm(data, files, auto_id=f"id_{OTHER}-%s")


def _rating_form(event: str, data: Any = None) -> RatingForm:
    return RatingForm(data, auto_id=f"id_rate-{event}-%s")


def page_sections(
    application: Application,
    *,
    upload_for: int | str | None = None,
    upload_form: MaterialFileForm | OtherDocumentForm | None = None,
    rating_event: str = "",
    rating_form: RatingForm | None = None,
) -> dict[str, Any]:
    """The materials and ratings sections of the application page; a form refused is shown as it was sent."""
    # a bundle's draft gets its files through the bundle (一件事), never alone
    editable = application.status in EDITABLE and not (
        application.status == ApplicationStatus.DRAFT and application.bundle_application_id is not None
    )
    current = list(application.materials.filter(superseded_at__isnull=True).order_by("uploaded_at", "pk"))
    by_material = {upload.material_id: upload for upload in current if upload.material_id is not None}
    lines = []
    for material in application.item_version.materials.order_by("position", "pk"):
        fetched = material.source != MaterialSource.APPLICANT
        form = None
        if upload_for == material.pk:
            form = upload_form  # refused: for a fetched material, only its errors are shown
        elif editable and not fetched:
            form = _material_form(material)
        lines.append(MaterialLine(material, fetched, by_material.get(material.pk), form))  # type: ignore[arg-type]
    given = list(application.ratings.order_by("rated_at", "pk"))
    rated = {rating.event for rating in given}
    events = dict(RatedEvent.choices)
    chances = [
        RatingChance(
            event, str(events[event]), rating_form if event == rating_event and rating_form else _rating_form(event)
        )
        for event in rated_events_happened(application)
        if event not in rated or event == rating_event
    ]
    if rating_form is not None and rating_event not in {chance.event for chance in chances}:
        chances.append(RatingChance(rating_event, str(events[rating_event]), rating_form))
    return {
        "materials_editable": editable,
        "upload_limit": settings.YIWANG_UPLOAD_MAX_BYTES,
        "material_lines": lines,
        "other_uploads": [upload for upload in current if upload.material_id is None],
        "other_form": (upload_form if upload_for == OTHER else _other_form()) if editable else None,
        "materials_missing": materials_missing(application) if editable else [],
        "ratings_given": [
            GivenRating(
                rating=rating,
                event=str(events.get(rating.event, rating.event)),
                level=str(LEVEL_LABELS.get(rating.level, rating.level)),
                indicators=[
                    (ONLINE_INDICATORS.get(code, code), str(LEVEL_LABELS.get(score, score)))
                    for code, score in (rating.indicators or {}).items()
                ],
            )
            for rating in given
        ],
        "rating_chances": chances,
        # what the registries can answer, named in the consent the applicant gives by asking for it
        "prefill_fields": prefill_fields(application.item_version.form_schema)
        if application.status == ApplicationStatus.DRAFT and application.bundle_application_id is None
        else [],
    }


def _page(
    request: HttpRequest, application_id: int, *, status: int, conflict: str = "", **sections: Any
) -> HttpResponse:
    """The application page again, with the refused form (400) or the conflict (409)."""
    # Imported here: the page's own module imports this one for its sections.
    from yiwang.services.views.applications.applicant import _render

    application = application_or_404(request, application_id)
    return _render(request, application, conflict=conflict, status=status, extra=sections)


def _back(application_id: int, anchor: str) -> HttpResponse:
    return redirect(reverse("services:my_application", kwargs={"application_id": application_id}) + f"#{anchor}")


# --- materials -------------------------------------------------------------------------------------------------


@citizen_required
@require_POST
def material_upload_page(request: HttpRequest, application_id: int) -> HttpResponse:
    """Upload a file for a material the item asks for (`material`: its id), or an extra document with its name."""
    application = application_or_404(request, application_id)
    form: MaterialFileForm | OtherDocumentForm
    key: int | str
    material_id: int | None = None
    chosen = request.POST.get("material", "")
    if chosen:
        material = application.item_version.materials.filter(pk=chosen).first() if chosen.isdigit() else None
        if material is None:
            raise Http404(_("The item asks for no such material."))
        form, key, material_id = _material_form(material, request.POST, request.FILES), material.pk, material.pk
    else:
        form, key = _other_form(request.POST, request.FILES), OTHER
    if not form.is_valid():
        return _page(request, application_id, status=400, upload_for=key, upload_form=form)
    try:
        upload = material_upload(
            actor=request.user,
            application_id=application.pk,
            material_id=material_id,
            name=form.cleaned_data.get("name", ""),
            file=form.cleaned_data["file"],
        )
    except YiwangError as error:
        refuse_unreachable(error)
        if isinstance(error, Conflict):
            return _page(request, application_id, status=409, conflict=str(error))
        add_service_error(form, error)
        return _page(request, application_id, status=400, upload_for=key, upload_form=form)
    messages.success(
        request,
        _("%(file)s is uploaded as %(material)s.") % {"file": upload.original_name, "material": upload.name},
    )
    return _back(application.pk, "materials")


@citizen_required
@require_POST
def material_remove_page(request: HttpRequest, application_id: int, upload_id: int) -> HttpResponse:
    """Take an uploaded file back (it stays in the record, superseded) while the application may change."""
    application = application_or_404(request, application_id)
    try:
        removed = material_remove(actor=request.user, upload_id=upload_id, application_id=application.pk)
    except YiwangError as error:
        refuse_unreachable(error)
        return _page(request, application_id, status=409, conflict=str(error))
    messages.success(request, _("%(file)s is removed.") % {"file": removed.original_name})
    return _back(application.pk, "materials")


@citizen_required
@require_GET
def material_file_page(request: HttpRequest, application_id: int, upload_id: int) -> FileResponse:
    """Download an uploaded file of one's application, under its own name."""
    application = application_or_404(request, application_id)
    upload = application.materials.filter(pk=upload_id).first()
    if upload is None:
        raise Http404(_("No uploaded file of yours has this id."))
    return FileResponse(
        upload.file.open("rb"), content_type=upload.content_type, as_attachment=True, filename=upload.original_name
    )


# --- pre-fill from the registries ------------------------------------------------------------------------------


@citizen_required
@require_POST
def prefill_page(request: HttpRequest, application_id: int) -> HttpResponse:
    """Fill the draft's empty answers from the base registries: pressing the button is the consent, recorded."""
    application = application_or_404(request, application_id)
    try:
        filled = application_prefill(actor=request.user, application_id=application.pk)
    except YiwangError as error:
        refuse_unreachable(error)
        return _page(request, application_id, status=409 if isinstance(error, Conflict) else 400, conflict=str(error))
    titles = {field.field: field.title for field in prefill_fields(filled.item_version.form_schema)}
    done = filled.events.filter(action="prefill").order_by("-pk").values_list("details", flat=True).first() or {}
    names = "、".join(titles.get(name, name) for name in done.get("filled", []))
    if names:
        messages.success(request, _("Filled in from the base registries: %(fields)s.") % {"fields": names})
    else:
        messages.info(request, _("The base registries hold none of these answers for you (or you gave them already)."))
    return _back(application.pk, "form-heading")


# --- ratings ---------------------------------------------------------------------------------------------------


@citizen_required
@require_POST
def rating_page(request: HttpRequest, application_id: int, event: str) -> HttpResponse:
    """Rate one service event of the application online, once, after it happened."""
    application = application_or_404(request, application_id)
    if event not in RatedEvent.values:
        raise Http404(_("There is no such service to rate."))
    form = _rating_form(event, request.POST)
    if not form.is_valid():
        return _page(request, application_id, status=400, rating_event=event, rating_form=form)
    try:
        ratings.rating_submit(
            actor=request.user,
            application_id=application.pk,
            event=event,
            level=form.cleaned_data["level"],
            channel=RatingChannel.ONLINE,
            indicators=form.indicators(),
            comment=form.cleaned_data["comment"],
        )
    except YiwangError as error:
        refuse_unreachable(error)
        add_service_error(form, error)
        return _page(request, application_id, status=400, rating_event=event, rating_form=form)
    messages.success(request, _("Thank you: your rating is recorded."))
    return _back(application.pk, "rating")
