"""Review and publication of catalog entries, and the authoritative source of each element."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.core.errors import PermissionDenied as ServicePermissionDenied
from yiwang.core.errors import YiwangError
from yiwang.core.forms import add_service_error
from yiwang.datahub.catalog import services
from yiwang.datahub.catalog.forms import (
    ELEMENT_CODE,
    AuthorityForm,
    ReturnForm,
)
from yiwang.datahub.views.catalog.common import EDITORS, detail_url, editable_or_403, entry_or_404, viewer_of
from yiwang.datahub.views.catalog.entries import render_detail
from yiwang.identity.access import staff_required
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_list


@staff_required(*EDITORS)
@require_POST
def catalog_submit_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The source department submits its draft for review."""
    viewer = viewer_of(request)
    resource = editable_or_403(viewer, slug)
    try:
        services.resource_submit(actor=viewer.user, resource_id=resource.pk)
    except ServicePermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except YiwangError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is submitted for review.") % {"name": resource.name})
    return redirect(detail_url(resource.slug))


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def catalog_publish_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The platform administrator publishes a submitted entry as its next version."""
    viewer = viewer_of(request)
    resource, _live = entry_or_404(viewer, slug)
    try:
        version = services.resource_publish(actor=viewer.user, resource_id=resource.pk)
    except YiwangError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s is published as version %(version)d.") % {"name": resource.name, "version": version.version},
        )
    return redirect(detail_url(resource.slug))


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def catalog_return_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The platform administrator sends a submitted entry back with the reason."""
    viewer = viewer_of(request)
    resource, live = entry_or_404(viewer, slug)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.resource_return(actor=viewer.user, resource_id=resource.pk, note=form.cleaned_data["note"])
        except YiwangError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(name)s is returned to its department.") % {"name": resource.name})
            return redirect(detail_url(resource.slug))
    return render_detail(request, viewer, resource, live, return_form=form, status=400)


@staff_required(Role.PLATFORM_ADMIN)
@require_POST
def catalog_authority_view(request: HttpRequest, slug: str) -> HttpResponse:
    """一数一源: the platform administrator names the authoritative source of one element."""
    viewer = viewer_of(request)
    resource, live = entry_or_404(viewer, slug)
    departments = [(item.id, f"{item.name}（{item.division_name}）") for item in department_list()]
    code = request.POST.get("element", "")
    # The code becomes part of the fields' ids only when it is a well-formed element code.
    prefix = f"id_authority_{code}_" if ELEMENT_CODE.match(code) else "id_authority_"
    form = AuthorityForm(request.POST, departments=departments, auto_id=prefix + "%s")
    if form.is_valid():
        try:
            services.element_assign_authority(
                actor=viewer.user,
                resource_id=resource.pk,
                element_code=form.cleaned_data["element"],
                department_id=form.cleaned_data["department"],
            )
        except YiwangError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The authoritative source of %(element)s is saved.") % {"element": code})
            return redirect(detail_url(resource.slug) + f"#element-{form.cleaned_data['element']}")
    return render_detail(request, viewer, resource, live, authority_form=form, status=400)


# --- drafting ---------------------------------------------------------------------------------------------
