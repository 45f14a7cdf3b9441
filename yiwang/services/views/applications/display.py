"""What the applicant's and the console's application pages both show: the countdown to the promised deadline,
the timeline of steps, the form's answers by their titles, and a refusal of the services as a page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yiwang.core.errors import NotFound
from yiwang.services.applications.clock import Clock
from yiwang.services.applications.selectors import application_detail
from yiwang.services.models import Application, ApplicationEvent, ApplicationStatus, SpecialProcedureKind

DUE_SOON_DAYS = 2  # the inbox warns when this many working days or fewer remain
STATUS_LABELS = dict(ApplicationStatus.choices)
KIND_LABELS = dict(SpecialProcedureKind.choices)


def application_or_404(request: HttpRequest, application_id: int) -> Application:
    """The application if the viewer may see it (`can_see`); otherwise as unknown as a missing one."""
    try:
        return application_detail(actor=request.user, application_id=application_id)
    except NotFound as error:
        raise Http404(str(error)) from None


@dataclass(frozen=True)
class Countdown:
    """The promised deadline of an accepted application as a person reads it."""

    due: datetime.date
    remaining: int
    unit: str
    paused: bool

    @property
    def state(self) -> str:
        """paused, overdue, due_soon or running."""
        if self.paused:
            return "paused"
        if self.remaining < 0:
            return "overdue"
        return "due_soon" if self.remaining <= DUE_SOON_DAYS else "running"

    @property
    def late(self) -> int:
        return -self.remaining


def countdown_of(clock: Clock | None) -> Countdown | None:
    if clock is None:
        return None
    promised = clock.promised
    return Countdown(due=promised.due, remaining=promised.remaining, unit=promised.unit, paused=clock.paused)


@dataclass(frozen=True)
class TimelineEntry:
    """One step of the application's history (the national 过程信息)."""

    at: datetime.datetime
    step: str
    actor: str
    opinion: str
    items_label: str = ""  # what the items are: missing materials, materials still owed, the procedure
    items: list[str] = field(default_factory=list)


def _items(event: ApplicationEvent) -> tuple[str, list[str]]:
    details = event.details or {}
    if event.action == "supplement_request":
        return _("What is missing"), [str(item) for item in details.get("missing", [])]
    if event.action == "special_start" and details.get("kind") in KIND_LABELS:
        return _("Procedure"), [str(KIND_LABELS[details["kind"]])]
    if event.action == "decide" and details.get("tolerated"):
        return _("Materials still owed"), [str(item) for item in details["tolerated"]]
    return "", []


def _step(event: ApplicationEvent) -> str:
    if event.action == "extend":
        days = int((event.details or {}).get("days", 0))
        return ngettext(
            "Time limit extended by %(days)s working day", "Time limit extended by %(days)s working days", days
        ) % {"days": days}
    if event.status is not None:
        return str(STATUS_LABELS.get(event.status, event.status))
    return event.action


def timeline_of(application: Application) -> list[TimelineEntry]:
    """The application's steps, oldest first."""
    events = sorted(application.events.all(), key=lambda event: (event.at, event.pk))
    entries = []
    for event in events:
        label, items = _items(event)
        entries.append(
            TimelineEntry(
                at=event.at,
                step=_step(event),
                actor=event.actor_name,
                opinion=event.opinion,
                items_label=label,
                items=items,
            )
        )
    return entries


def last_event(application: Application, action: str) -> ApplicationEvent | None:
    """The newest event of one kind (the supplement notice being answered, the decision)."""
    matching = [event for event in application.events.all() if event.action == action]
    return max(matching, key=lambda event: (event.at, event.pk)) if matching else None


@dataclass(frozen=True)
class Answer:
    title: str
    value: str


def _shown(value: Any, definition: dict[str, Any]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    for choice in definition.get("oneOf") or definition.get("anyOf") or []:
        if isinstance(choice, dict) and choice.get("const") == value:
            return str(choice.get("title", value))
    return str(value)


def answers_of(application: Application) -> list[Answer]:
    """The form's answers by their titles, in the order of the form's fields."""
    properties = application.item_version.form_schema.get("properties", {})
    return [
        Answer(title=str(definition.get("title", name)), value=_shown(application.form_data.get(name), definition))
        for name, definition in properties.items()
        if isinstance(definition, dict)
    ]
