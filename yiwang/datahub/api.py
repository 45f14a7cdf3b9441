"""API of the data hub (/api/v1/datahub): the catalog for departments' systems, and pushing records."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.datahub.catalog.selectors import catalog_search, resource_list, resource_schema
from yiwang.datahub.ingestion.pipeline import ingest_rows
from yiwang.datahub.ingestion.selectors import batch_errors, batch_for
from yiwang.identity.api_auth import session_or_bearer
from yiwang.identity.roles import Role, UserKind

router = Router(tags=["data hub"], auth=session_or_bearer)
PUSH_LIMIT = 10_000


def _staff(request: HttpRequest) -> Any:
    user: Any = request.auth  # type: ignore[attr-defined]
    if user.kind != UserKind.STAFF:
        raise PermissionDenied(_("The catalog is for government staff and their systems."))
    return user


class ResourceOut(Schema):
    slug: str
    code: str
    name: str
    source_department: str
    sharing_type: str
    openness: str
    update_cycle: str
    version: int
    elements: list[str]


class ElementOut(Schema):
    code: str
    name: str
    data_type: str
    length: int | None
    required: bool
    enumeration: list[str]
    sensitive: bool
    is_key: bool


class SchemaOut(Schema):
    slug: str
    code: str
    name: str
    version: int
    elements: list[ElementOut]


class SearchQuery(Schema):
    q: str = ""


@router.get("/resources", response=list[ResourceOut], summary="Published catalog entries, or those matching q")
def resources(request: HttpRequest, query: Query[SearchQuery]) -> list[ResourceOut]:
    _staff(request)
    found = catalog_search(query=query.q[:50]) if query.q.strip() else resource_list(published_only=True)
    return [
        ResourceOut(
            slug=item.slug,
            code=item.code,
            name=item.name,
            source_department=item.source_department,
            sharing_type=item.sharing_type,
            openness=item.openness,
            update_cycle=item.update_cycle,
            version=item.version,
            elements=list(item.element_names),
        )
        for item in found
    ]


@router.get("/resources/{slug}", response=SchemaOut, summary="The published elements of a resource")
def resource(request: HttpRequest, slug: str) -> SchemaOut:
    _staff(request)
    schema = resource_schema(slug=slug)
    return SchemaOut(
        slug=schema.slug,
        code=schema.code,
        name=schema.name,
        version=schema.version,
        elements=[
            ElementOut(
                code=element.code,
                name=element.name,
                data_type=element.data_type,
                length=element.length,
                required=element.required,
                enumeration=list(element.enumeration),
                sensitive=element.sensitive,
                is_key=element.is_key,
            )
            for element in schema.elements
        ],
    )


class PushIn(Schema):
    records: list[dict[str, Any]]
    source_department_id: int | None = None
    dry_run: bool = False


class RowErrorOut(Schema):
    row: str
    column: str
    value: str
    reason: str


class PushOut(Schema):
    batch: int | None
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    conflicts: int
    errors: list[RowErrorOut]


@router.post(
    "/resources/{slug}/records", response=PushOut, summary="Push records (up to 10,000) as the caller's department"
)
def push(request: HttpRequest, slug: str, payload: PushIn) -> PushOut:
    user = _staff(request)
    if not payload.records:
        raise HttpError(422, _("Send at least one record."))
    if len(payload.records) > PUSH_LIMIT:
        raise HttpError(413, _("At most %(limit)d records per request.") % {"limit": PUSH_LIMIT})
    department = payload.source_department_id or user.department_id
    if department != user.department_id and not user.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("You send data for your own department only."))
    if department is None:
        raise ValidationFailed(_("Say which department sends the records."), field="source_department_id")
    result = ingest_rows(
        actor=user,
        resource_slug=slug,
        source_department_id=department,
        rows=payload.records,
        label=f"api:{user.username}",
        dry_run=payload.dry_run,
    )
    errors = batch_errors(batch_id=result.batch) if result.batch is not None else []
    return PushOut(**result.as_json() | {"errors": [RowErrorOut(**item) for item in errors]})


class BatchOut(Schema):
    id: int
    resource: str
    source_department: str
    status: str
    rows: int
    accepted: int
    rejected: int
    unchanged: int
    conflicts: int
    errors: list[RowErrorOut]


@router.get("/batches/{batch_id}", response=BatchOut, summary="A batch's status and first errors")
def batch(request: HttpRequest, batch_id: int) -> BatchOut:
    user = _staff(request)
    found = batch_for(viewer=user, batch_id=batch_id)
    if found is None:
        raise NotFound(_("No such batch."))
    return BatchOut(
        id=found.id,
        resource=found.resource_slug,
        source_department=found.source_department,
        status=found.status,
        rows=found.rows,
        accepted=found.accepted,
        rejected=found.rejected,
        unchanged=found.unchanged,
        conflicts=found.conflicts,
        errors=[RowErrorOut(**item) for item in batch_errors(batch_id=batch_id)],
    )
