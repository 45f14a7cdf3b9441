"""Enterprises and the agents (经办人) their legal representatives authorise."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.audit.services import Actor, record_event, record_model_event
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.core.identifiers import (
    InvalidIdentifier,
    mask_name,
    validate_credit_code,
)
from yiwang.identity.models import AgentAuthorisation, Enterprise, User
from yiwang.identity.roles import AssuranceLevel, UserKind
from yiwang.identity.services.accounts import id_number_index, validated_id_number, validated_real_name


def enterprise_register(*, actor: User, credit_code: str, name: str, legal_representative_name: str) -> Enterprise:
    """A citizen registers the enterprise they legally represent (their real name must be the representative's)."""
    if not actor.is_citizen or actor.assurance_level < AssuranceLevel.SELF_DECLARED:
        raise PermissionDenied(_("Only a citizen with a real-name account can register an enterprise."))
    try:
        code = validate_credit_code(credit_code)
    except InvalidIdentifier as error:
        raise ValidationFailed(error.message, field="credit_code", code=f"credit_code.{error.part}") from None
    if not name.strip():
        raise ValidationFailed(_("Enter the enterprise's registered name."), field="name")
    representative = validated_real_name(legal_representative_name, field="legal_representative_name")
    if representative != actor.real_name:
        raise PermissionDenied(
            _("Only the legal representative can register the enterprise; ask them to authorise you as an agent."),
            field="legal_representative_name",
        )
    with transaction.atomic():
        if Enterprise.objects.filter(credit_code=code).exists():
            raise Conflict(_("This enterprise is already registered."), field="credit_code")
        enterprise = Enterprise.objects.create(
            credit_code=code,
            name=name.strip(),
            legal_representative_name=representative,
            legal_representative=actor,
        )
        record_model_event(
            actor=actor,
            action="identity.enterprise.register",
            instance=enterprise,
            changes={
                "credit_code": code,
                "name": enterprise.name,
                "legal_representative": mask_name(representative),
            },
        )
    return enterprise


def enterprise_authorise_agent(
    *,
    actor: User,
    enterprise_id: int,
    agent_id_number: str,
    agent_name: str,
    valid_until: datetime.date | None,
) -> AgentAuthorisation:
    """The legal representative authorises a citizen (by ID number and name) to act for the enterprise."""
    id_number = validated_id_number(agent_id_number, field="agent_id_number")
    name = validated_real_name(agent_name, field="agent_name")
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationFailed(_("The end date is in the past."), field="valid_until")
    with transaction.atomic():
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
        if enterprise is None or enterprise.legal_representative_id != actor.pk:
            raise PermissionDenied(_("Only the enterprise's legal representative can authorise agents."))
        agent = User.objects.filter(id_number_index=id_number_index(id_number), kind=UserKind.CITIZEN).first()
        if agent is None or agent.real_name != name:
            raise NotFound(
                _("No citizen account has this name and ID number. The agent must register first."),
                field="agent_id_number",
            )
        if agent.pk == actor.pk:
            raise ValidationFailed(
                _("The legal representative acts for the enterprise already."), field="agent_id_number"
            )
        if AgentAuthorisation.objects.filter(enterprise=enterprise, agent=agent, revoked_at=None).exists():
            raise Conflict(_("This person is already an agent of the enterprise."), field="agent_id_number")
        authorisation = AgentAuthorisation.objects.create(
            enterprise=enterprise, agent=agent, granted_by=actor, valid_until=valid_until
        )
        record_model_event(
            actor=actor,
            action="identity.enterprise.authorise",
            instance=enterprise,
            changes={"agent": agent.pk, "valid_until": valid_until.isoformat() if valid_until else None},
        )
    return authorisation


def enterprise_revoke_agent(*, actor: User, authorisation_id: int) -> None:
    """The legal representative ends an agent's authorisation."""
    with transaction.atomic():
        authorisation = (
            AgentAuthorisation.objects.select_for_update()
            .select_related("enterprise")
            .filter(pk=authorisation_id)
            .first()
        )
        if authorisation is None or authorisation.enterprise.legal_representative_id != actor.pk:
            raise PermissionDenied(_("Only the enterprise's legal representative can revoke agents."))
        if authorisation.revoked_at is not None:
            return
        authorisation.revoked_at = timezone.now()
        authorisation.revoked_by = actor
        authorisation.save(update_fields=["revoked_at", "revoked_by"])
        record_model_event(
            actor=actor,
            action="identity.enterprise.revoke",
            instance=authorisation.enterprise,
            changes={"agent": authorisation.agent_id},
        )


@dataclass(frozen=True)
class EnterpriseBulkRow:
    """An enterprise for a bulk load; its legal representative already has a citizen account."""

    credit_code: str
    name: str
    legal_representative_name: str
    legal_representative_username: str


def enterprises_bulk_create(
    *, actor: Actor | None, rows: Iterable[EnterpriseBulkRow], batch_size: int = 2000, strict: bool = True
) -> int:
    """Insert many enterprises in committed batches, one audit event per batch.

    Each batch is validated before it is written (credit code, a representative account whose real name is
    the representative's name); a bad row raises ValidationFailed naming it and its batch is not written.
    """
    total = 0
    batch: list[EnterpriseBulkRow] = []

    def flush() -> None:
        nonlocal total
        if not batch:
            return
        usernames = {row.legal_representative_username for row in batch}
        accounts = {
            username: (pk, real_name)
            for username, pk, real_name in User.objects.filter(
                username__in=usernames, kind=UserKind.CITIZEN
            ).values_list("username", "pk", "real_name")
        }
        enterprises = []
        for number, row in enumerate(batch, start=total + 1):
            try:
                code = validate_credit_code(row.credit_code, strict=strict)
            except InvalidIdentifier as error:
                raise ValidationFailed(
                    _("Row %(row)d: %(error)s") % {"row": number, "error": error.message}, field="credit_code"
                ) from None
            account = accounts.get(row.legal_representative_username)
            if account is None or account[1] != row.legal_representative_name:
                raise ValidationFailed(
                    _("Row %(row)d: no citizen account %(username)s named %(name)s.")
                    % {
                        "row": number,
                        "username": row.legal_representative_username,
                        "name": row.legal_representative_name,
                    },
                    field="legal_representative_username",
                )
            enterprises.append(
                Enterprise(
                    credit_code=code,
                    name=row.name.strip(),
                    legal_representative_name=row.legal_representative_name,
                    legal_representative_id=account[0],
                )
            )
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Enterprise.objects.bulk_create(enterprises, batch_size=batch_size)
            except IntegrityError:
                raise Conflict(
                    _("Rows %(first)d–%(last)d: a credit code is already registered.")
                    % {"first": total + 1, "last": total + len(batch)},
                    field="credit_code",
                ) from None
            record_event(
                actor=actor,
                action="identity.enterprise.bulk_create",
                object_type="identity.enterprise",
                object_id=f"{enterprises[0].credit_code}…{enterprises[-1].credit_code}"[:64],
                changes={"count": len(enterprises)},
            )
        total += len(batch)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            flush()
    flush()
    return total
