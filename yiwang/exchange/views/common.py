"""What the exchange's pages share: who is looking, tabs, errors on forms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy

from yiwang.core.errors import NotFound, YiwangError
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.identity.roles import Role
from yiwang.identity.selectors import visible_department_ids
from yiwang.org.selectors import department_list, department_subtree_ids

EXCHANGE_ADMINS = (Role.DATA_ADMIN, Role.PLATFORM_ADMIN)
STATISTICS_DAYS = 30
OPERATIONS = {
    "record": gettext_lazy("Look-up of one record"),
    "batch": gettext_lazy("Batch look-up"),
    "query": gettext_lazy("Query"),
    "verify": gettext_lazy("Verification"),
}
# Spreadsheets run a cell that starts with one of these as a formula: the log holds what callers sent.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- who is looking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The signed-in staff member as the exchange's pages see them."""

    user: Any
    is_platform_admin: bool
    is_data_admin: bool
    department_id: int | None
    own_departments: frozenset[int]  # the department and its sub-units

    def administers(self, department_id: int | None) -> bool:
        """Whether the services let this viewer act for the department (the pages only offer what they allow)."""
        if self.is_platform_admin:
            return True
        return self.is_data_admin and department_id is not None and department_id == self.department_id


def viewer_of(request: HttpRequest) -> Viewer:
    user: Any = request.user
    platform = user.has_role(Role.PLATFORM_ADMIN)
    visible = visible_department_ids(user)
    if visible is None:  # platform administrators see everything; "ours" is still their own department
        visible = department_subtree_ids(department_id=user.department_id) if user.department_id else frozenset[int]()
    return Viewer(
        user=user,
        is_platform_admin=platform,
        is_data_admin=user.has_role(Role.DATA_ADMIN),
        department_id=user.department_id,
        own_departments=frozenset(visible),
    )


def department_choices(viewer: Viewer) -> list[tuple[int, str]]:
    """Departments the viewer acts for: all for platform administrators, their own for data administrators."""
    return [
        (item.id, item.name)
        for item in department_list()
        if viewer.is_platform_admin or item.id == viewer.department_id
    ]


def refuse_unreachable(error: YiwangError) -> None:
    """What the viewer may not reach is a 404 or a 403 page, not a message on a form."""
    if isinstance(error, NotFound):
        raise Http404(str(error)) from None
    if isinstance(error, NotPermitted):
        raise PermissionDenied(str(error)) from None


def form_error(form: Any, error: YiwangError, renames: Mapping[str, str] | None = None) -> None:
    """Show a service's error next to its field (under the form's name for it), or above the form."""
    refuse_unreachable(error)
    field = (renames or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


def tabs_of(request: HttpRequest, choices: Sequence[tuple[str, Any]], default: str) -> tuple[str, list[dict[str, Any]]]:
    """The current tab (`?tab=`) and the links of all tabs."""
    current = request.GET.get("tab", "")
    if current not in {value for value, _label in choices}:
        current = default
    return current, [{"value": value, "label": label, "current": value == current} for value, label in choices]
