"""Admin for platform administrators: calendar overrides and a read-only view of the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.core.calendar.models import CalendarOverride, CalendarYear
from yiwang.core.calendar.services import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_mark_official,
    calendar_year_unmark_official,
)
from yiwang.core.models import AuditEvent


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["date", "kind", "name", "note", "updated_at"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name", "note"]

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        if change and "date" in form.changed_data:
            calendar_override_delete(actor=request.user, date=form.initial["date"])
        saved = calendar_override_set(
            actor=request.user,
            date=obj.date,
            kind=obj.kind,
            name=obj.name,
            note=obj.note,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_delete(actor=request.user, date=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for item in queryset:
            calendar_override_delete(actor=request.user, date=item.date)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["year", "notice", "loaded_at"]

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        calendar_year_mark_official(actor=request.user, year=obj.year, notice=obj.notice)

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        calendar_year_unmark_official(actor=request.user, year=obj.year)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for item in queryset:
            calendar_year_unmark_official(actor=request.user, year=item.year)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "occurred_at", "actor_label", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "action"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
