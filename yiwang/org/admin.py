"""Admin for platform administrators: the division tree and departments (changes go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from yiwang.core.errors import YiwangError
from yiwang.org.models import Department, Division
from yiwang.org.services import department_create, department_update, division_create


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Division | None = None) -> list[str]:
        # A code is an identity: divisions are never re-coded, only created.
        return ["code", "level", "parent"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Division, form: Any, change: bool) -> None:
        if change:
            messages.warning(request, _("Only a new division can be saved here; existing ones are kept as they are."))
            return
        try:
            created = division_create(
                actor=request.user,
                code=obj.code,
                name=obj.name,
                level=obj.level,
                parent_code=obj.parent.code if obj.parent else None,
            )
        except YiwangError as error:
            messages.error(request, str(error))
            return
        obj.pk = created.id

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "short_name", "kind", "division", "parent", "credit_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "credit_code"]
    raw_id_fields = ["division", "parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Department | None = None) -> list[str]:
        return ["credit_code", "division", "kind"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        try:
            if change:
                department_update(
                    actor=request.user,
                    department_id=obj.pk,
                    name=obj.name,
                    short_name=obj.short_name,
                    parent_id=obj.parent_id,
                    is_active=obj.is_active,
                )
            else:
                created = department_create(
                    actor=request.user,
                    name=obj.name,
                    credit_code=obj.credit_code,
                    kind=obj.kind,
                    division_code=obj.division.code,
                    short_name=obj.short_name,
                    parent_id=obj.parent_id,
                )
                obj.pk = created.id
        except YiwangError as error:
            messages.error(request, str(error))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
