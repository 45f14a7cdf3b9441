"""Admin: enterprises and agent authorisations, read-only. Accounts are managed in the console (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from oauth2_provider.models import Application

from yiwang.identity.models import AgentAuthorisation, Enterprise

# Clients are registered in the console, which records who registered them and shows the secret once.
if admin.site.is_registered(Application):
    admin.site.unregister(Application)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "legal_representative_name", "registered_at"]
    search_fields = ["name", "credit_code"]


@admin.register(AgentAuthorisation)
class AgentAuthorisationAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "agent", "granted_at", "valid_until", "revoked_at"]
    raw_id_fields = ["enterprise", "agent", "granted_by", "revoked_by"]
