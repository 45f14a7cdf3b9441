"""Drafting an entry: the resource form with its elements editor, for a new entry or a revision."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yiwang.core.errors import PermissionDenied as ServicePermissionDenied
from yiwang.core.errors import YiwangError
from yiwang.core.forms import add_service_error
from yiwang.datahub.catalog import services
from yiwang.datahub.catalog.forms import (
    BaseElementFormSet,
    ResourceForm,
    element_formset,
    element_initial,
    form_as_initial,
    planned_snapshot,
    resource_initial,
    rows_as_initial,
)
from yiwang.datahub.models import (
    Resource,
    UpdateCycle,
)
from yiwang.datahub.views.catalog.common import (
    EDITORS,
    TYPE_LABELS,
    department_choices,
    detail_url,
    editable_or_403,
    viewer_of,
)
from yiwang.identity.access import staff_required


def _render_form(
    request: HttpRequest,
    *,
    form: ResourceForm,
    formset: BaseElementFormSet,
    resource: Resource | None,
    elements_errors: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    errors = [str(error) for error in formset.non_form_errors()] if formset.is_bound else []
    context = {
        "form": form,
        "formset": formset,
        "resource": resource,
        "elements_errors": [*errors, *elements_errors],
        "type_labels": TYPE_LABELS,
    }
    return render(request, "datahub/catalog/form.html", context, status=status)


def _service_error(form: ResourceForm, error: YiwangError) -> list[str]:
    """Errors about the elements go above the elements table; the others next to their field."""
    if error.field == "elements":
        return [str(error.message)]
    add_service_error(form, error)
    return []


@staff_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def catalog_create_view(request: HttpRequest) -> HttpResponse:
    """A data administrator drafts a new entry for their department, with its data elements."""
    viewer = viewer_of(request)
    departments = department_choices(viewer)
    if request.method != "POST":
        initial = {"source_department": viewer.data_admin_department_id, "update_cycle": UpdateCycle.MONTHLY}
        form = ResourceForm(departments=departments, initial=initial)
        return _render_form(request, form=form, formset=element_formset(), resource=None)
    form = ResourceForm(request.POST, departments=departments)
    formset = element_formset(request.POST)
    if request.POST.get("action") == "add_row":
        form = ResourceForm(departments=departments, initial=form_as_initial(form))
        return _render_form(
            request, form=form, formset=element_formset(initial=rows_as_initial(formset)), resource=None
        )
    elements_errors: list[str] = []
    if all([form.is_valid(), formset.is_valid()]):
        try:
            created = services.resource_create(
                actor=viewer.user, fields=form.resource_fields(), elements=formset.element_specs({})
            )
        except YiwangError as error:
            elements_errors = _service_error(form, error)
        else:
            messages.success(request, _("Draft %(name)s is saved.") % {"name": created.name})
            return redirect(detail_url(created.slug))
    return _render_form(request, form=form, formset=formset, resource=None, elements_errors=elements_errors, status=400)


@staff_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def catalog_edit_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The source department revises an entry; a published entry stays published until the revision is."""
    viewer = viewer_of(request)
    resource = editable_or_403(viewer, slug)
    snapshot = services.resource_snapshot(resource)
    departments = department_choices(viewer)
    initial = resource_initial(snapshot)
    if request.method != "POST":
        form = ResourceForm(departments=departments, builtin=resource.builtin, initial=initial)
        formset = element_formset(initial=[element_initial(item) for item in snapshot["elements"]])
        return _render_form(request, form=form, formset=formset, resource=resource)
    form = ResourceForm(request.POST, departments=departments, builtin=resource.builtin, initial=initial)
    formset = element_formset(request.POST)
    if request.POST.get("action") == "add_row":
        form = ResourceForm(departments=departments, builtin=resource.builtin, initial=form_as_initial(form))
        return _render_form(
            request, form=form, formset=element_formset(initial=rows_as_initial(formset)), resource=resource
        )
    elements_errors: list[str] = []
    if all([form.is_valid(), formset.is_valid()]):
        kept_rules = {item["code"]: item.get("rules") or {} for item in snapshot["elements"]}
        fields = form.resource_fields()
        elements = formset.element_specs(kept_rules)
        planned = planned_snapshot(fields, elements)
        metadata_changed = {key: value for key, value in planned.items() if key != "elements"} != {
            key: value for key, value in snapshot.items() if key != "elements"
        }
        elements_changed = planned["elements"] != snapshot["elements"]
        if not metadata_changed and not elements_changed:
            messages.info(request, _("Nothing was changed."))
            return redirect(detail_url(resource.slug))
        try:
            # Metadata and elements are one revision: both are saved or neither.
            with transaction.atomic():
                if metadata_changed:
                    resource = services.resource_update(actor=viewer.user, resource_id=resource.pk, fields=fields)
                if elements_changed:
                    resource = services.resource_set_elements(
                        actor=viewer.user, resource_id=resource.pk, elements=elements
                    )
        except ServicePermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except YiwangError as error:
            elements_errors = _service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is saved as a draft. Submit it for review to publish the change.")
                % {"name": resource.name},
            )
            return redirect(detail_url(resource.slug))
    return _render_form(
        request, form=form, formset=formset, resource=resource, elements_errors=elements_errors, status=400
    )


# --- Excel ------------------------------------------------------------------------------------------------
