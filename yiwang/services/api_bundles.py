"""API of bundles (一件事一次办, /api/v1/services/bundles and /bundle-applications): the published bundles with
their merged form and materials, public to read; the platform's administrators define and publish them; citizens
start, fill in, upload for and submit one application for a whole bundle. The handling departments see each
sub-application in their own inbox (/api/v1/services/applications)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from yiwang.identity.api_auth import session_or_bearer
from yiwang.services import bundles
from yiwang.services.api import ApplicationSummaryOut

router = Router(tags=["bundles"])


class BundleItemOut(Schema):
    task_code: str
    name: str
    department: str


class BundleMaterialOut(Schema):
    name: str
    required: bool
    source: str = Field(description="applicant (uploaded once for every item asking for it), license, registry, …")
    items: list[str] = Field(description="task codes of the items that ask for it")


class BundleOut(Schema):
    code: str
    name: str
    description: str
    status: str
    published_at: datetime.datetime | None
    items: list[BundleItemOut]


class BundleDetailOut(BundleOut):
    form_schema: dict[str, Any] = Field(description="the merged form: one property per data element (x-element)")
    materials: list[BundleMaterialOut] = Field(description="what the applicant uploads, once")
    fetched_materials: list[BundleMaterialOut] = Field(description="obtained by the departments (免提交)")


class BundleIn(Schema):
    code: str = Field(max_length=50)
    name: str = Field(max_length=200)
    description: str = Field("", max_length=2000)
    task_codes: list[str] = Field(max_length=30)


class ProgressOut(Schema):
    code: str = Field(description="draft, in_progress, approved (all approved) or refused (concluded with refusals)")
    label: str
    concluded: int = Field(description="sub-applications concluded")
    total: int
    late: bool = Field(description="a sub-application is past its limit (red card)")
    concluded_at: datetime.datetime | None


class BundleApplicationOut(Schema):
    id: int
    number: str = Field(description="the bundle's own number (YJS…); empty for a draft")
    bundle: str
    bundle_name: str
    enterprise_id: int | None
    form_data: dict[str, Any]
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    progress: ProgressOut
    applications: list[ApplicationSummaryOut] = Field(description="one per item, handled by its department")


class BundleStartIn(Schema):
    bundle: str = Field(max_length=50)
    enterprise_id: int | None = None
    form_data: dict[str, Any] = Field(default_factory=dict)


class BundleFormIn(Schema):
    form_data: dict[str, Any]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _bundle(code: str) -> dict[str, Any]:
    bundle = bundles.bundle_get(code=code)
    form = bundles.bundle_form(bundle)
    return {
        **dataclasses.asdict(bundles.bundle_info(bundle)),
        "form_schema": form.schema,
        "materials": [dataclasses.asdict(material) for material in form.materials],
        "fetched_materials": [dataclasses.asdict(material) for material in form.fetched],
    }


def _detail(request: HttpRequest, bundle_application_id: int) -> Any:
    return bundles.bundle_application_detail(actor=_user(request), bundle_application_id=bundle_application_id)


@router.get("/bundles", response=list[BundleOut], auth=None, summary="The published bundles (一件事一次办)")
def bundle_list(request: HttpRequest) -> Any:
    return bundles.bundles_published()


@router.get(
    "/bundles/{code}", response=BundleDetailOut, auth=None, summary="A bundle with its merged form and materials"
)
def bundle_detail(request: HttpRequest, code: str) -> Any:
    return _bundle(code)


@router.post(
    "/bundles",
    response={201: BundleOut},
    auth=session_or_bearer,
    summary="Define a bundle (a draft) from published items of two departments or more (platform administrators)",
)
def bundle_create(request: HttpRequest, payload: BundleIn) -> Any:
    bundle = bundles.bundle_create(
        actor=_user(request),
        code=payload.code,
        name=payload.name,
        description=payload.description,
        task_codes=payload.task_codes,
    )
    return Status(201, bundles.bundle_info(bundle))


@router.post(
    "/bundles/{code}/publish",
    response=BundleOut,
    auth=session_or_bearer,
    summary="Publish a bundle (platform administrators)",
)
def bundle_publish(request: HttpRequest, code: str) -> Any:
    return bundles.bundle_info(bundles.bundle_publish(actor=_user(request), code=code))


@router.get(
    "/bundle-applications",
    response=list[BundleApplicationOut],
    auth=session_or_bearer,
    summary="A citizen's own bundle applications",
)
def bundle_applications(request: HttpRequest) -> Any:
    return bundles.bundle_applications_of(actor=_user(request))


@router.post(
    "/bundle-applications",
    response={201: BundleApplicationOut},
    auth=session_or_bearer,
    summary="Start a bundle application: one draft application per item",
)
def bundle_application_start(request: HttpRequest, payload: BundleStartIn) -> Any:
    started = bundles.bundle_application_start(
        actor=_user(request),
        bundle_code=payload.bundle,
        form_data=payload.form_data,
        enterprise_id=payload.enterprise_id,
    )
    return Status(201, _detail(request, started.pk))


@router.get(
    "/bundle-applications/{bundle_application_id}",
    response=BundleApplicationOut,
    auth=session_or_bearer,
    summary="A bundle application: its one status and each sub-application's number, department, status and clock",
)
def bundle_application(request: HttpRequest, bundle_application_id: int) -> Any:
    return _detail(request, bundle_application_id)


@router.put(
    "/bundle-applications/{bundle_application_id}/form",
    response=BundleApplicationOut,
    auth=session_or_bearer,
    summary="Save the merged form of a draft (each item gets the answers its form asks for)",
)
def bundle_application_form(request: HttpRequest, bundle_application_id: int, payload: BundleFormIn) -> Any:
    bundles.bundle_application_save(
        actor=_user(request), bundle_application_id=bundle_application_id, form_data=payload.form_data
    )
    return _detail(request, bundle_application_id)


@router.post(
    "/bundle-applications/{bundle_application_id}/materials",
    response=BundleApplicationOut,
    auth=session_or_bearer,
    summary="Upload one file for a material by name: given to every item that asks for it",
)
def bundle_application_material(
    request: HttpRequest, bundle_application_id: int, file: File[UploadedFile], material_name: Form[str]
) -> Any:
    bundles.bundle_material_upload(
        actor=_user(request), bundle_application_id=bundle_application_id, material_name=material_name, file=file
    )
    return _detail(request, bundle_application_id)


@router.post(
    "/bundle-applications/{bundle_application_id}/submit",
    response=BundleApplicationOut,
    auth=session_or_bearer,
    summary="Submit every item at once (the merged form is checked; every problem is listed in `errors`)",
)
def bundle_application_submit(request: HttpRequest, bundle_application_id: int) -> Any:
    bundles.bundle_application_submit(actor=_user(request), bundle_application_id=bundle_application_id)
    return _detail(request, bundle_application_id)
