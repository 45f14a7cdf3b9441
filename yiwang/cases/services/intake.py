"""Intake (受理): by operators during a call, citizens on the portal, the API, Open311 and grid workers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import (
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseCategory,
    CaseType,
    Channel,
    EventKind,
    GridCell,
)
from yiwang.cases.services.access import is_hotline, is_staff
from yiwang.cases.services.common import locked_case, required_text, step
from yiwang.core.crypto import blind_index
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.core.identifiers import InvalidIdentifier, mask_name, mask_phone, validate_phone
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.selectors import user_get
from yiwang.org.selectors import division_get

PHONE_INDEX_PURPOSE = "cases.contact_phone"
MAX_CONTENT = 4000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    "image/jpeg": AttachmentKind.PHOTO,
    "image/png": AttachmentKind.PHOTO,
    "image/webp": AttachmentKind.PHOTO,
    "application/pdf": AttachmentKind.DOCUMENT,
}
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")


@dataclass(frozen=True)
class CaseIntake:
    """What a reporter says and where, as taken in by any channel."""

    case_type: str
    channel: str
    content: str
    title: str = ""
    category_code: str = ""
    division_code: str = ""
    grid_cell_code: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = ""
    contact_phone: str = ""
    hide_reporter: bool = False
    reporter_id: int | None = None
    open311_token: str = ""
    service_notice: str = ""


def phone_index(phone: str) -> str:
    """The blind index of a contact phone, to find a caller's earlier cases without decrypting anything."""
    return blind_index(phone, purpose=PHONE_INDEX_PURPOSE) if phone else ""


def title_from(content: str) -> str:
    """The first sentence of the content, cut at 30 characters."""
    first = _SENTENCE_END.split(content.strip(), maxsplit=1)[0].strip()
    return first[:30] or content.strip()[:30]


def _check_channel(actor: Any, channel: str) -> None:
    if channel == Channel.PHONE and not is_hotline(actor):
        raise PermissionDenied(_("Only the hotline's operators take cases by phone."), field="channel")
    if channel == Channel.GRID and not (is_staff(actor) and actor.has_role(Role.GRID_WORKER)):
        raise PermissionDenied(_("Only grid workers report grid events."), field="channel")
    if channel == Channel.PORTAL and actor is not None and getattr(actor, "kind", None) != UserKind.CITIZEN:
        raise PermissionDenied(_("The portal takes cases from citizens."), field="channel")


def _category(code: str) -> CaseCategory | None:
    if not code:
        return None
    category = CaseCategory.objects.filter(code=code.strip(), active=True).first()
    if category is None:
        raise ValidationFailed(
            _("There is no category with the code %(code)s.") % {"code": code}, field="category_code"
        )
    if category.children.filter(active=True).exists():
        raise ValidationFailed(
            _("%(name)s is a heading: choose one of its categories.") % {"name": category.name}, field="category_code"
        )
    return category


def _place(intake: CaseIntake, actor: Any) -> tuple[int | None, GridCell | None]:
    """The division and grid cell of the case, consistent with each other."""
    division = None
    if intake.division_code:
        division = division_get(code=intake.division_code.strip())
        if division is None:
            raise ValidationFailed(
                _("There is no division with the code %(code)s.") % {"code": intake.division_code},
                field="division_code",
            )
    cell = None
    if intake.grid_cell_code:
        cell = GridCell.objects.select_related("division").filter(code=intake.grid_cell_code.strip()).first()
        if cell is None:
            raise ValidationFailed(
                _("There is no grid cell with the code %(code)s.") % {"code": intake.grid_cell_code},
                field="grid_cell_code",
            )
        if division is not None and not cell.division.code.startswith(division.code):
            raise ValidationFailed(
                _("Grid cell %(cell)s is not in %(division)s.") % {"cell": cell.code, "division": division.name},
                field="grid_cell_code",
            )
        if intake.channel == Channel.GRID and not cell.workers.filter(pk=actor.pk).exists():
            raise PermissionDenied(_("You are not assigned to grid cell %(cell)s.") % {"cell": cell.code})
        return cell.division_id, cell
    return (division.id if division else None), None


def _coordinates(intake: CaseIntake) -> tuple[Decimal | None, Decimal | None]:
    if (intake.latitude is None) != (intake.longitude is None):
        raise ValidationFailed(_("Give both latitude and longitude, or neither."), field="latitude")
    if intake.latitude is None or intake.longitude is None:
        return None, None
    latitude, longitude = Decimal(intake.latitude), Decimal(intake.longitude)
    if not Decimal(-90) <= latitude <= Decimal(90):
        raise ValidationFailed(_("The latitude must lie between -90 and 90."), field="latitude")
    if not Decimal(-180) <= longitude <= Decimal(180):
        raise ValidationFailed(_("The longitude must lie between -180 and 180."), field="longitude")
    return latitude.quantize(Decimal("0.000001")), longitude.quantize(Decimal("0.000001"))


def _next_number(day: str) -> str:
    """The next free number of the day: YYYYMMDD and six digits (history imports use 900000 and above)."""
    last = (
        Case.objects.filter(number__startswith=day, number__lt=f"{day}900000")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{day}{int(last[8:]) + 1 if last else 1:06d}"


def case_intake(*, actor: Any, intake: CaseIntake) -> Case:
    """Take in a case from any channel: validated, numbered, with its received event."""
    if intake.case_type not in CaseType.values:
        raise ValidationFailed(_("Choose the type of the request."), field="case_type")
    if intake.channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), field="channel")
    _check_channel(actor, intake.channel)
    content = required_text(intake.content, field="content", label=_("The content"), maximum=MAX_CONTENT)
    title = (intake.title or "").strip()[:100] or title_from(content)
    category = _category(intake.category_code)
    division_id, cell = _place(intake, actor)
    latitude, longitude = _coordinates(intake)
    phone = ""
    if intake.contact_phone.strip():
        try:
            phone = validate_phone(intake.contact_phone)
        except InvalidIdentifier as error:
            raise ValidationFailed(str(error), field="contact_phone") from error
    contact_name = intake.contact_name.strip()[:50]
    reporter = None
    if intake.reporter_id is not None:
        reporter = user_get(user_id=intake.reporter_id)
        if reporter is None or reporter.kind != UserKind.CITIZEN:
            raise ValidationFailed(_("The reporter must be a citizen's account."), field="reporter_id")
        phone = phone or (reporter.phone or "")
        contact_name = contact_name or reporter.real_name
    if intake.channel in {Channel.PORTAL, Channel.PHONE} and not phone and reporter is None:
        raise ValidationFailed(_("A contact phone is needed to reply."), field="contact_phone")
    now = timezone.now()
    day = timezone.localdate(now).strftime("%Y%m%d")
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        number=_next_number(day),
                        case_type=intake.case_type,
                        channel=intake.channel,
                        category=category,
                        title=title,
                        content=content,
                        division_id=division_id,
                        grid_cell=cell,
                        address=intake.address.strip()[:200],
                        latitude=latitude,
                        longitude=longitude,
                        reporter=reporter,
                        contact_name=contact_name,
                        contact_phone=phone,
                        contact_phone_index=phone_index(phone),
                        hide_reporter=intake.hide_reporter,
                        received_by=actor if is_staff(actor) else None,
                        received_at=now,
                        open311_token=intake.open311_token[:40],
                        service_notice=intake.service_notice[:200],
                        updated_at=now,
                    )
                break
            except IntegrityError:  # another intake took the number: take the next one
                continue
        else:  # pragma: no cover - five collisions in a row
            raise ValidationFailed(_("The hotline is busy: please try again."))
        step(
            case,
            kind=EventKind.RECEIVED,
            actor=actor,
            text=str(Channel(intake.channel).label),
            data={"channel": intake.channel, "category": category.code if category else ""},
            public=True,
            audit={
                "channel": intake.channel,
                "type": intake.case_type,
                "contact": mask_phone(phone) if phone else "",
                "name": mask_name(contact_name) if contact_name else "",
                "hidden": intake.hide_reporter,
            },
        )
    return case


def case_attach(*, actor: Any, case_id: int, upload: File, kind: str = "") -> CaseAttachment:  # type: ignore[type-arg]
    """Keep a photo or file of a case (JPEG, PNG, WebP or PDF, at most 10 MB)."""
    if kind and kind not in AttachmentKind.values:
        raise ValidationFailed(_("Unknown kind of attachment."), field="kind")
    content_type = getattr(upload, "content_type", "") or ""
    if content_type not in ATTACHMENT_TYPES:
        raise ValidationFailed(_("Attach a photo (JPEG, PNG, WebP) or a PDF."), field="upload")
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_("The file is larger than 10 MB."), field="upload")
    if size == 0:
        raise ValidationFailed(_("The file is empty."), field="upload")
    head = upload.read(16)
    upload.seek(0)
    if not _content_matches(content_type, head):
        raise ValidationFailed(_("The file's content is not what its type says."), field="upload")
    with transaction.atomic():
        case = locked_case(case_id)
        from yiwang.cases.selectors import case_visible

        if (
            actor is not None
            and case_visible(actor, case.pk) is None
            and case.reporter_id != getattr(actor, "pk", None)
        ):
            raise PermissionDenied(_("You may not add files to this case."))
        staff = is_staff(actor)
        attachment = CaseAttachment(
            case=case,
            kind=kind or ATTACHMENT_TYPES[content_type],
            name=(getattr(upload, "name", "") or "file")[-200:],
            content_type=content_type,
            size=size,
            uploaded_by=actor if actor is not None and getattr(actor, "pk", None) else None,
            from_reporter=not staff or (actor.has_role(Role.GRID_WORKER) and case.received_by_id == actor.pk),
        )
        attachment.file.save(f"{case.number}-{attachment.name}", upload, save=False)
        attachment.save()
        step(case, kind=EventKind.ATTACHED, actor=actor, text=attachment.name, data={"kind": attachment.kind})
    return attachment


def _content_matches(content_type: str, head: bytes) -> bool:
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return head.startswith(b"%PDF-")
