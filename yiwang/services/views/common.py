"""What the service pages share: who is looking, the labels of the catalog's codes, refusals as pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from yiwang.core.errors import NotFound, YiwangError
from yiwang.core.errors import PermissionDenied as NotPermitted
from yiwang.identity.roles import Role
from yiwang.services.models import MaterialSource, OnlineDepth, VersionStatus

DEPTH_LABELS = dict(OnlineDepth.choices)
STATUS_LABELS = dict(VersionStatus.choices)
# Materials the department obtains itself: the applicant submits nothing (免提交).
FETCHED_SOURCES = frozenset({MaterialSource.LICENSE, MaterialSource.REGISTRY})


@dataclass(frozen=True)
class Viewer:
    """The signed-in staff member as the item pages see them."""

    user: Any
    is_platform_admin: bool
    is_item_admin: bool
    department_id: int | None

    def sees(self, department_id: int) -> bool:
        """Platform administrators see every department's items; other staff their own department's."""
        return self.is_platform_admin or department_id == self.department_id

    def drafts(self, department_id: int) -> bool:
        """Whether the catalog lets this viewer start a draft of the department's item."""
        return self.is_platform_admin or (self.is_item_admin and department_id == self.department_id)


def viewer_of(request: HttpRequest) -> Viewer:
    user: Any = request.user
    return Viewer(
        user=user,
        is_platform_admin=user.has_role(Role.PLATFORM_ADMIN),
        is_item_admin=user.has_role(Role.ITEM_ADMIN),
        department_id=user.department_id,
    )


def refuse_unreachable(error: YiwangError) -> None:
    """What the viewer may not reach is a 404 or a 403 page; other errors are for the page to show."""
    if isinstance(error, NotFound):
        raise Http404(str(error)) from None
    if isinstance(error, NotPermitted):
        raise PermissionDenied(str(error)) from None
