"""Writing the exchange: consumer systems and their credentials, access requests and grants, data demands.

The access log is written by `yiwang.exchange.log` (appended by the gateway, sealed in the background).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit.services import Actor, record_model_event
from yiwang.core.calendar.selectors import calendar_add_working_days, calendar_count_working_days
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.core.search import search_terms
from yiwang.datahub.catalog.selectors import (
    SharedResource,
    shared_resource,
    shared_resource_by_id,
    source_departments_for,
)
from yiwang.exchange.masking import is_masked_by_default
from yiwang.exchange.models import (
    AccessRequest,
    Consumer,
    ConsumerStatus,
    DataDemand,
    DemandStatus,
    Grant,
    RequestStatus,
)
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get, department_list

MAX_GRANT_DAYS = 3 * 366
MAX_ROTATION_GRACE_HOURS = 72
MIN_JUSTIFICATION = 4


def _is_platform_admin(actor: Any) -> bool:
    return actor is not None and actor.has_role(Role.PLATFORM_ADMIN)


def _require_data_admin_of(actor: Any, department_id: int | None, message: str) -> None:
    """A data administrator of the department, or a platform administrator (None: the platform itself)."""
    if actor is None or _is_platform_admin(actor):
        return
    if not actor.has_role(Role.DATA_ADMIN) or actor.department_id != department_id:
        raise PermissionDenied(message)


def _today() -> datetime.date:
    return timezone.localdate()


def _due(days: int) -> datetime.date:
    return calendar_add_working_days(_today(), days).date


# --- consumer systems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCredentials:
    """Credentials as shown once: the secret is never shown again."""

    consumer_id: int
    app_key: str
    secret: str


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def consumer_register(
    *, actor: Actor | None, department_id: int, name: str, description: str = "", rate_limit: int = 100
) -> IssuedCredentials:
    """A department's data administrator registers a system that will call the gateway."""
    _require_data_admin_of(actor, department_id, _("Only the department's data administrators register its systems."))
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Give the system a name."), field="name")
    if len(name) > 100:
        raise ValidationFailed(_("A name has at most 100 characters."), field="name")
    if department_get(department_id=department_id) is None:
        raise ValidationFailed(_("No such department."), field="department")
    _check_rate_limit(rate_limit)
    secret = _new_secret()
    try:
        with transaction.atomic():
            consumer = Consumer.objects.create(
                department_id=department_id,
                name=name,
                description=description.strip(),
                app_key="yw" + secrets.token_hex(12),
                secret=secret,
                secret_rotated_at=timezone.now(),
                rate_limit=rate_limit,
                created_by_id=getattr(actor, "pk", None),
            )
            record_model_event(
                actor=actor,
                action="exchange.consumer.register",
                instance=consumer,
                changes={"name": name, "department": department_id, "app_key": consumer.app_key},
            )
    except IntegrityError:
        raise Conflict(_("The department already has a system of this name."), field="name") from None
    return IssuedCredentials(consumer_id=consumer.pk, app_key=consumer.app_key, secret=secret)


def _check_rate_limit(rate_limit: int) -> None:
    if not 1 <= rate_limit <= 10_000:
        raise ValidationFailed(_("A rate limit is 1 to 10,000 requests per second."), field="rate_limit")


def _consumer_for_update(consumer_id: int) -> Consumer:
    consumer = Consumer.objects.select_for_update().filter(pk=consumer_id).first()
    if consumer is None:
        raise NotFound(_("No such system."), field="consumer")
    return consumer


def consumer_rotate_secret(*, actor: Actor | None, consumer_id: int, grace_hours: int = 24) -> IssuedCredentials:
    """A new secret; the old one keeps working for `grace_hours` (0: stops at once) while the system switches."""
    if not 0 <= grace_hours <= MAX_ROTATION_GRACE_HOURS:
        raise ValidationFailed(
            _("The old secret may keep working for 0 to %(hours)s hours.") % {"hours": MAX_ROTATION_GRACE_HOURS},
            field="grace_hours",
        )
    secret = _new_secret()
    with transaction.atomic():
        consumer = _consumer_for_update(consumer_id)
        _require_data_admin_of(
            actor, consumer.department_id, _("Only the department's data administrators manage its systems.")
        )
        if consumer.status != ConsumerStatus.ACTIVE:
            raise Conflict(_("A revoked system gets no new secret."))
        now = timezone.now()
        consumer.previous_secret = consumer.secret if grace_hours else ""
        consumer.previous_secret_until = now + datetime.timedelta(hours=grace_hours) if grace_hours else None
        consumer.secret = secret
        consumer.secret_rotated_at = now
        consumer.save(update_fields=["previous_secret", "previous_secret_until", "secret", "secret_rotated_at"])
        record_model_event(
            actor=actor, action="exchange.consumer.rotate", instance=consumer, changes={"grace_hours": grace_hours}
        )
    return IssuedCredentials(consumer_id=consumer.pk, app_key=consumer.app_key, secret=secret)


def consumer_revoke(*, actor: Actor | None, consumer_id: int, reason: str) -> Consumer:
    """The system's credentials stop working; its grants go with it."""
    if not reason.strip():
        raise ValidationFailed(_("Say why the system is revoked."), field="reason")
    with transaction.atomic():
        consumer = _consumer_for_update(consumer_id)
        _require_data_admin_of(
            actor, consumer.department_id, _("Only the department's data administrators manage its systems.")
        )
        if consumer.status == ConsumerStatus.REVOKED:
            return consumer
        consumer.status = ConsumerStatus.REVOKED
        consumer.revoked_at = timezone.now()
        consumer.previous_secret = ""
        consumer.save(update_fields=["status", "revoked_at", "previous_secret"])
        Grant.objects.filter(consumer=consumer, revoked_at__isnull=True).update(
            revoked_at=consumer.revoked_at, revoked_reason=reason.strip()
        )
        record_model_event(
            actor=actor, action="exchange.consumer.revoke", instance=consumer, changes={"reason": reason.strip()}
        )
    return consumer


def consumer_set_rate_limit(*, actor: Actor | None, consumer_id: int, rate_limit: int) -> Consumer:
    """The platform administrator sets how many requests a second the system may send."""
    if actor is not None and not _is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators set rate limits."))
    _check_rate_limit(rate_limit)
    with transaction.atomic():
        consumer = _consumer_for_update(consumer_id)
        before = consumer.rate_limit
        consumer.rate_limit = rate_limit
        consumer.save(update_fields=["rate_limit"])
        record_model_event(
            actor=actor,
            action="exchange.consumer.rate_limit",
            instance=consumer,
            changes={"rate_limit": [before, rate_limit]},
        )
    return consumer


# --- access requests and grants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessRequestInput:
    """What a consumer asks for."""

    consumer_id: int
    resource: str
    elements: list[str]
    purpose: str
    legal_basis: str
    valid_from: datetime.date
    valid_until: datetime.date
    expected_volume: int
    clear_elements: dict[str, str] | None = None


def _check_request(data: AccessRequestInput, shared: SharedResource) -> dict[str, str]:
    """The request's clear-text elements, after checking every field; ValidationFailed names the first wrong."""
    if not data.purpose.strip():
        raise ValidationFailed(_("Say what the data is for."), field="purpose")
    if not data.legal_basis.strip():
        raise ValidationFailed(_("Name the law or regulation that allows the use."), field="legal_basis")
    if not data.elements:
        raise ValidationFailed(_("Choose at least one element."), field="elements")
    codes = {element.code: element for element in shared.schema.elements}
    unknown = [code for code in data.elements if code not in codes]
    if unknown:
        raise ValidationFailed(
            _("%(resource)s has no element %(codes)s.") % {"resource": shared.schema.name, "codes": ", ".join(unknown)},
            field="elements",
        )
    if len(set(data.elements)) != len(data.elements):
        raise ValidationFailed(_("An element is named twice."), field="elements")
    clear = {code: reason.strip() for code, reason in (data.clear_elements or {}).items()}
    for code, reason in clear.items():
        if code not in data.elements:
            raise ValidationFailed(
                _("%(code)s is asked in clear text but not requested.") % {"code": code}, field="clear_elements"
            )
        if not is_masked_by_default(codes[code]):
            raise ValidationFailed(
                _("%(element)s is not masked; it needs no clear-text justification.") % {"element": codes[code].name},
                field="clear_elements",
            )
        if len(reason) < MIN_JUSTIFICATION:
            raise ValidationFailed(
                _("Justify why %(element)s is needed in clear text.") % {"element": codes[code].name},
                field="clear_elements",
            )
    if data.valid_from < _today():
        raise ValidationFailed(_("The validity period cannot start in the past."), field="valid_from")
    if data.valid_until < data.valid_from:
        raise ValidationFailed(_("The validity period ends before it starts."), field="valid_until")
    if (data.valid_until - data.valid_from).days > MAX_GRANT_DAYS:
        raise ValidationFailed(_("A grant lasts at most three years; ask again then."), field="valid_until")
    if not 1 <= data.expected_volume <= 100_000_000:
        raise ValidationFailed(_("Give the expected number of calls a day (1 or more)."), field="expected_volume")
    return clear


def _grant(request: AccessRequest) -> Grant:
    return Grant.objects.create(
        request=request,
        consumer_id=request.consumer_id,
        resource_id=request.resource_id,
        elements=request.elements,
        clear_elements=request.clear_elements,
        valid_from=request.valid_from,
        valid_until=request.valid_until,
    )


def access_request_submit(*, actor: Actor | None, data: AccessRequestInput) -> AccessRequest:
    """Ask for a resource's elements. Unconditional sharing without clear text is granted at once; anything
    else goes to the platform's compliance check and then to the source department."""
    consumer = Consumer.objects.filter(pk=data.consumer_id).first()
    if consumer is None:
        raise ValidationFailed(_("No such system."), field="consumer")
    _require_data_admin_of(
        actor, consumer.department_id, _("Only the department's data administrators request data for its systems.")
    )
    if consumer.status != ConsumerStatus.ACTIVE:
        raise Conflict(_("The system is revoked."), field="consumer")
    try:
        shared = shared_resource(slug=data.resource)
    except NotFound as error:
        raise ValidationFailed(str(error), field="resource") from None
    if shared.sharing_type == "none":
        raise ValidationFailed(
            _("%(resource)s is not shared (不予共享); ask its source department for a data demand instead.")
            % {"resource": shared.schema.name},
            field="resource",
        )
    clear = _check_request(data, shared)
    at_once = shared.sharing_type == "open" and not clear
    with transaction.atomic():
        request = AccessRequest.objects.create(
            consumer=consumer,
            resource_id=shared.schema.resource_id,
            elements=list(data.elements),
            clear_elements=clear,
            purpose=data.purpose.strip(),
            legal_basis=data.legal_basis.strip(),
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            expected_volume=data.expected_volume,
            status=RequestStatus.GRANTED if at_once else RequestStatus.COMPLIANCE,
            stage_due=None if at_once else _due(settings.YIWANG_EXCHANGE_COMPLIANCE_DAYS),
            submitted_by_id=getattr(actor, "pk", None),
            decided_at=timezone.now() if at_once else None,
        )
        record_model_event(
            actor=actor,
            action="exchange.request.submit",
            instance=request,
            changes={
                "consumer": consumer.pk,
                "resource": shared.schema.slug,
                "elements": request.elements,
                "clear": sorted(clear),
                "valid": [request.valid_from.isoformat(), request.valid_until.isoformat()],
            },
        )
        if at_once:
            grant = _grant(request)
            record_model_event(
                actor=None, action="exchange.grant.create", instance=grant, changes={"request": request.pk}
            )
    return request


def _request_for_update(request_id: int) -> AccessRequest:
    request = AccessRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("No such access request."), field="request")
    return request


def access_request_compliance_decide(
    *, actor: Actor | None, request_id: int, approve: bool, note: str = ""
) -> AccessRequest:
    """The platform's compliance check: passed on to the source department, or refused with a reason."""
    if actor is not None and not _is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators check requests for compliance."))
    note = note.strip()
    if not approve and not note:
        raise ValidationFailed(_("A refusal carries its reason."), field="reason")
    with transaction.atomic():
        request = _request_for_update(request_id)
        if request.status != RequestStatus.COMPLIANCE:
            raise Conflict(_("The request is not waiting for a compliance check."))
        request.compliance_note = note
        request.escalation_level = 0
        request.reminded_on = None
        if approve:
            request.status = RequestStatus.SOURCE
            request.stage_due = _due(settings.YIWANG_EXCHANGE_SOURCE_DAYS)
        else:
            request.status = RequestStatus.REFUSED
            request.refusal_reason = note
            request.stage_due = None
            request.decided_at = timezone.now()
        request.save()
        record_model_event(
            actor=actor,
            action="exchange.request.compliance",
            instance=request,
            changes={"approve": approve, "note": note},
        )
    return request


def access_request_source_decide(
    *, actor: Actor | None, request_id: int, approve: bool, reason: str = ""
) -> AccessRequest:
    """The source department grants the request or refuses it with a reason."""
    reason = reason.strip()
    with transaction.atomic():
        request = _request_for_update(request_id)
        shared = shared_resource_by_id(resource_id=request.resource_id)
        _require_data_admin_of(
            actor,
            shared.source_department_id,
            _("Only the source department's data administrators decide on requests for its data."),
        )
        if request.status != RequestStatus.SOURCE:
            raise Conflict(_("The request is not waiting for the source department."))
        if not approve and not reason:
            raise ValidationFailed(_("A refusal carries its reason."), field="reason")
        request.decided_at = timezone.now()
        request.stage_due = None
        if approve:
            request.status = RequestStatus.GRANTED
        else:
            request.status = RequestStatus.REFUSED
            request.refusal_reason = reason
        request.save()
        record_model_event(
            actor=actor,
            action="exchange.request.decide",
            instance=request,
            changes={"approve": approve, "reason": reason},
        )
        if approve:
            grant = _grant(request)
            record_model_event(
                actor=actor, action="exchange.grant.create", instance=grant, changes={"request": request.pk}
            )
    return request


def access_request_withdraw(*, actor: Actor | None, request_id: int) -> AccessRequest:
    """The requesting department withdraws a request that is still being decided."""
    with transaction.atomic():
        request = _request_for_update(request_id)
        consumer = Consumer.objects.get(pk=request.consumer_id)
        _require_data_admin_of(
            actor, consumer.department_id, _("Only the requesting department's data administrators withdraw it.")
        )
        if request.status not in {RequestStatus.COMPLIANCE, RequestStatus.SOURCE}:
            raise Conflict(_("Only a request still being decided can be withdrawn."))
        request.status = RequestStatus.WITHDRAWN
        request.stage_due = None
        request.decided_at = timezone.now()
        request.save()
        record_model_event(actor=actor, action="exchange.request.withdraw", instance=request)
    return request


def grant_revoke(*, actor: Actor | None, grant_id: int, reason: str) -> Grant:
    """The source department (or the platform, or the consumer's own department) ends a grant before its time."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why the grant is revoked."), field="reason")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None:
            raise NotFound(_("No such grant."), field="grant")
        shared = shared_resource_by_id(resource_id=grant.resource_id)
        consumer = Consumer.objects.get(pk=grant.consumer_id)
        allowed = (
            actor is None
            or _is_platform_admin(actor)
            or (
                actor.has_role(Role.DATA_ADMIN)  # type: ignore[attr-defined]
                and actor.department_id in {shared.source_department_id, consumer.department_id}  # type: ignore[attr-defined]
            )
        )
        if not allowed:
            raise PermissionDenied(
                _("Only the source department, the consumer's department or the platform revoke a grant.")
            )
        if grant.revoked_at is not None:
            return grant
        grant.revoked_at = timezone.now()
        grant.revoked_reason = reason
        grant.save(update_fields=["revoked_at", "revoked_reason"])
        record_model_event(actor=actor, action="exchange.grant.revoke", instance=grant, changes={"reason": reason})
    return grant


@dataclass(frozen=True)
class ChaseResult:
    """What one pass over the open requests and demands did."""

    reminded: list[int]
    escalated: list[int]
    demands_overdue: list[int]


def _chase_step(item: Any, *, due: datetime.date, today: datetime.date) -> int | None:
    """What the chase does today for one open item: 0 remind (the due day, once), n escalate to n working days
    late (once per new level), None nothing."""
    if due == today:
        return None if item.reminded_on == today else 0
    late = calendar_count_working_days(due, today).days
    return late if late > item.escalation_level else None


def access_requests_chase(*, today: datetime.date | None = None) -> ChaseResult:
    """Remind on the due day, escalate every working day after it (督办): run daily (`yiwang exchange chase`).

    For access requests, a reminder goes to whoever decides the stage (platform administrators for the
    compliance check, the source department's data administrators for the decision); for data demands, to the
    data administrators of the department the demand was routed to. Each escalation level also goes to that
    department's supervisors and leaders and to platform administrators.
    """
    from yiwang.exchange.tasks import notify_demand_late, notify_request_late

    today = today or _today()
    reminded: list[int] = []
    escalated: list[int] = []
    open_requests = AccessRequest.objects.filter(
        status__in=[RequestStatus.COMPLIANCE, RequestStatus.SOURCE], stage_due__lte=today
    ).order_by("pk")
    for request_id in open_requests.values_list("pk", flat=True):
        with transaction.atomic():
            request = _request_for_update(request_id)
            if request.stage_due is None or request.stage_due > today:
                continue
            step = _chase_step(request, due=request.stage_due, today=today)
            if step is None:
                continue
            if step == 0:
                request.reminded_on = today
                record_model_event(actor=None, action="exchange.request.remind", instance=request)
                reminded.append(request.pk)
            else:
                request.escalation_level = step
                record_model_event(
                    actor=None,
                    action="exchange.request.escalate",
                    instance=request,
                    changes={"working_days_late": step},
                )
                escalated.append(request.pk)
            request.save(update_fields=["reminded_on", "escalation_level"])
            transaction.on_commit(partial(notify_request_late.enqueue, request_id=request.pk, level=step))
    overdue: list[int] = []
    routed = DataDemand.objects.filter(status=DemandStatus.ROUTED, due__lte=today).order_by("pk")
    for demand_id in routed.values_list("pk", flat=True):
        with transaction.atomic():
            demand = DataDemand.objects.select_for_update().get(pk=demand_id)
            if demand.status != DemandStatus.ROUTED or demand.due is None or demand.due > today:
                continue
            if demand.due < today:
                overdue.append(demand.pk)
            step = _chase_step(demand, due=demand.due, today=today)
            if step is None:
                continue
            if step == 0:
                demand.reminded_on = today
                record_model_event(actor=None, action="exchange.demand.remind", instance=demand)
            else:
                demand.escalation_level = step
                record_model_event(
                    actor=None, action="exchange.demand.escalate", instance=demand, changes={"working_days_late": step}
                )
            demand.save(update_fields=["reminded_on", "escalation_level"])
            transaction.on_commit(partial(notify_demand_late.enqueue, demand_id=demand.pk, level=step))
    return ChaseResult(reminded=reminded, escalated=escalated, demands_overdue=overdue)


# --- data demands ------------------------------------------------------------------------------------------


def _likely_source(text: str, *, exclude: int) -> tuple[int | None, str]:
    """The department most likely to hold data described by `text`, and why (a code the pages translate:
    "catalog" — it publishes related resources; "name" — its name matches)."""
    for department_id in source_departments_for(query=text):
        if department_id != exclude:
            return department_id, "catalog"
    terms = search_terms(text)
    for department in department_list():
        if department.id != exclude and any(term in department.name for term in terms if len(term) >= 2):
            return department.id, "name"
    return None, ""


def data_demand_submit(
    *, actor: Actor | None, department_id: int, title: str, description: str, purpose: str, legal_basis: str = ""
) -> DataDemand:
    """Ask for data the catalog does not list; it is routed to the likely source department, or to the platform."""
    _require_data_admin_of(actor, department_id, _("Only the department's data administrators raise data demands."))
    for field, value, message in (
        ("title", title, _("Give the demand a title.")),
        ("description", description, _("Describe the data needed.")),
        ("purpose", purpose, _("Say what the data is for.")),
    ):
        if not value.strip():
            raise ValidationFailed(message, field=field)
    if len(title.strip()) > 200:
        raise ValidationFailed(_("A title has at most 200 characters."), field="title")
    routed_to, why = _likely_source(f"{title} {description}", exclude=department_id)
    with transaction.atomic():
        demand = DataDemand.objects.create(
            department_id=department_id,
            title=title.strip(),
            description=description.strip(),
            purpose=purpose.strip(),
            legal_basis=legal_basis.strip(),
            routed_to_id=routed_to,
            routing_note=why,
            due=_due(settings.YIWANG_EXCHANGE_DEMAND_DAYS) if routed_to else None,
            status=DemandStatus.ROUTED if routed_to else DemandStatus.TRIAGE,
            created_by_id=getattr(actor, "pk", None),
        )
        record_model_event(
            actor=actor,
            action="exchange.demand.submit",
            instance=demand,
            changes={"title": demand.title, "routed_to": routed_to},
        )
    return demand


def data_demand_route(*, actor: Actor | None, demand_id: int, department_id: int) -> DataDemand:
    """The platform administrator sends a demand to the department that should answer it."""
    if actor is not None and not _is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators route data demands."))
    if department_get(department_id=department_id) is None:
        raise ValidationFailed(_("No such department."), field="department")
    with transaction.atomic():
        demand = DataDemand.objects.select_for_update().filter(pk=demand_id).first()
        if demand is None:
            raise NotFound(_("No such data demand."), field="demand")
        if demand.status not in {DemandStatus.TRIAGE, DemandStatus.ROUTED}:
            raise Conflict(_("The demand is already answered."))
        demand.routed_to_id = department_id
        if demand.department_id == department_id:
            raise ValidationFailed(
                _("Route the demand to another department than the one that raised it."), field="department"
            )
        demand.routing_note = "platform"
        demand.due = _due(settings.YIWANG_EXCHANGE_DEMAND_DAYS)
        demand.status = DemandStatus.ROUTED
        demand.save()
        record_model_event(
            actor=actor, action="exchange.demand.route", instance=demand, changes={"routed_to": department_id}
        )
    return demand


def data_demand_answer(
    *, actor: Actor | None, demand_id: int, answer: str, provide: bool, resource: str = ""
) -> DataDemand:
    """The routed department answers: it provides the data (naming the published resource) or declines, saying why."""
    answer = answer.strip()
    if not answer:
        raise ValidationFailed(_("Write the answer."), field="answer")
    with transaction.atomic():
        demand = DataDemand.objects.select_for_update().filter(pk=demand_id).first()
        if demand is None:
            raise NotFound(_("No such data demand."), field="demand")
        _require_data_admin_of(actor, demand.routed_to_id, _("Only the department the demand is routed to answers it."))
        if demand.status != DemandStatus.ROUTED:
            raise Conflict(_("The demand is not waiting for an answer."))
        if provide and resource:
            try:
                shared = shared_resource(slug=resource)
            except NotFound as error:
                raise ValidationFailed(str(error), field="resource") from None
            if shared.source_department_id != demand.routed_to_id:
                raise ValidationFailed(_("Name a resource your department publishes."), field="resource")
            demand.resource_id = shared.schema.resource_id
        demand.status = DemandStatus.ANSWERED if provide else DemandStatus.DECLINED
        demand.answer = answer
        demand.answered_at = timezone.now()
        demand.save()
        record_model_event(
            actor=actor,
            action="exchange.demand.answer",
            instance=demand,
            changes={"provide": provide, "resource": resource or None},
        )
    return demand
