"""Units' responsibility lists (职责清单 / 权责清单 / 履职事项清单): the matters each unit answers for.

They are the basis of the catalogue's entries and what the router knows of a unit before any case was dispatched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.cases.catalogue.access import require_editor
from yiwang.cases.models import Responsibility
from yiwang.core.audit.services import Actor, record_event
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.org import selectors as org_selectors

TITLE_LIMIT = 200


@dataclass(frozen=True)
class ResponsibilityRow:
    """A matter of a unit's list, to create."""

    department_id: int
    title: str
    description: str = ""


@dataclass(frozen=True)
class ResponsibilityInfo:
    """A matter of a unit's list."""

    id: int
    department_id: int
    title: str
    description: str


@dataclass(frozen=True)
class UnitResponsibilities:
    """A unit and how many matters its list holds."""

    department_id: int
    name: str
    kind_label: str
    count: int


def _check_title(title: str, *, field: str = "title") -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationFailed(_("A matter needs a title."), field=field)
    if len(title) > TITLE_LIMIT:
        raise ValidationFailed(
            _("A matter's title is at most %(limit)d characters: %(title)s…")
            % {"limit": TITLE_LIMIT, "title": title[:20]},
            field=field,
        )
    return title


def responsibility_list(department_id: int) -> list[ResponsibilityInfo]:
    """The matters of one unit's list, in the order they were entered."""
    return [
        ResponsibilityInfo(id=item.pk, department_id=item.department_id, title=item.title, description=item.description)
        for item in Responsibility.objects.filter(department_id=department_id).order_by("id")
    ]


def responsibilities_all() -> list[ResponsibilityInfo]:
    """Every unit's matters (for the router's cold start), by unit."""
    return [
        ResponsibilityInfo(id=item.pk, department_id=item.department_id, title=item.title, description=item.description)
        for item in Responsibility.objects.order_by("department_id", "id")
    ]


def responsibility_units() -> list[UnitResponsibilities]:
    """Every active unit with the size of its list, by division and name."""
    counts = Counter(Responsibility.objects.values_list("department_id", flat=True))
    return [
        UnitResponsibilities(
            department_id=department.id,
            name=department.name,
            kind_label=department.kind_label,
            count=counts.get(department.id, 0),
        )
        for department in org_selectors.department_list()
    ]


def responsibility_bulk_create(*, actor: Actor | None, rows: Iterable[ResponsibilityRow]) -> int:
    """Add matters to units' lists, skipping those a list already holds (same title); returns how many were added."""
    require_editor(actor)
    with transaction.atomic():
        known = set(Responsibility.objects.values_list("department_id", "title"))
        units: set[int] = set()
        new: list[Responsibility] = []
        for row in rows:
            title = _check_title(row.title)
            if row.department_id not in units:
                if org_selectors.department_get(department_id=row.department_id) is None:
                    raise ValidationFailed(
                        _("No unit has id %(id)s.") % {"id": row.department_id}, field="department_id"
                    )
                units.add(row.department_id)
            if (row.department_id, title) in known:
                continue
            known.add((row.department_id, title))
            new.append(
                Responsibility(department_id=row.department_id, title=title, description=row.description.strip())
            )
        Responsibility.objects.bulk_create(new)
        if new:
            record_event(
                actor=actor,
                action="cases.catalogue.responsibility.bulk_create",
                object_type="cases.responsibility",
                object_id="*",
                changes={"count": len(new), "units": len(units)},
            )
    return len(new)


def responsibility_replace(*, actor: Actor | None, department_id: int, titles: Sequence[str]) -> int:
    """Make a unit's list exactly these matters (one per entry; blank ones are skipped): matters kept keep their
    description, new ones are added and the rest removed. Returns the size of the list."""
    require_editor(actor)
    if org_selectors.department_get(department_id=department_id) is None:
        raise NotFound(_("No unit has id %(id)s.") % {"id": department_id}, field="department_id")
    wanted: list[str] = []
    for number, raw in enumerate(titles, start=1):
        if not raw.strip():
            continue
        try:
            title = _check_title(raw, field="matters")
        except ValidationFailed as error:
            raise ValidationFailed(
                _("Line %(line)d: %(message)s") % {"line": number, "message": error.message}, field="matters"
            ) from None
        if title not in wanted:
            wanted.append(title)
    with transaction.atomic():
        existing = {item.title: item for item in Responsibility.objects.filter(department_id=department_id)}
        removed = [item.pk for title, item in existing.items() if title not in wanted]
        Responsibility.objects.filter(pk__in=removed).delete()
        added = [Responsibility(department_id=department_id, title=title) for title in wanted if title not in existing]
        Responsibility.objects.bulk_create(added)
        if removed or added:
            record_event(
                actor=actor,
                action="cases.catalogue.responsibility.replace",
                object_type="cases.responsibility",
                object_id=department_id,
                changes={"added": len(added), "removed": len(removed), "count": len(wanted)},
            )
    return len(wanted)
