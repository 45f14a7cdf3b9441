"""The grid (网格化管理): cells inside communities, and the grid workers (网格员) who walk them and report events.

A cell's code is its community's 12-digit code and two digits. Workers are staff holding the grid worker role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yiwang.cases.catalogue.access import require_editor
from yiwang.cases.catalogue.places import COMMUNITY_DIGITS, COMMUNITY_LEVEL, STREET_DIGITS
from yiwang.cases.models import Case, GridCell
from yiwang.core.audit.services import Actor, record_event
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.identity import selectors as identity_selectors
from yiwang.identity.roles import Role, UserKind
from yiwang.org import selectors as org_selectors

CELL_CODE = re.compile(r"\d{14}")
NAME_LIMIT, DESCRIPTION_LIMIT = 100, 300


@dataclass(frozen=True)
class GridWorker:
    """A grid worker as the grid pages show them."""

    id: int
    username: str
    real_name: str
    department_name: str


@dataclass(frozen=True)
class GridCellInfo:
    """A cell of the grid with its community and workers."""

    id: int
    code: str
    name: str
    division_code: str  # the community
    division_name: str
    street_code: str
    description: str
    workers: tuple[GridWorker, ...]


def _worker(user: Any) -> GridWorker:
    return GridWorker(
        id=user.pk,
        username=user.username,
        real_name=user.real_name,
        department_name=user.department.name if user.department_id else "",
    )


def _cells() -> QuerySet[GridCell]:
    return GridCell.objects.select_related("division").prefetch_related("workers__department")


def _info(cell: GridCell) -> GridCellInfo:
    return GridCellInfo(
        id=cell.pk,
        code=cell.code,
        name=cell.name,
        division_code=cell.division.code,
        division_name=cell.division.name,
        street_code=cell.division.code[:STREET_DIGITS],
        description=cell.description,
        workers=tuple(_worker(user) for user in sorted(cell.workers.all(), key=lambda user: user.username)),
    )


def grid_cell_get(code: str) -> GridCellInfo | None:
    """The cell with this code."""
    cell = _cells().filter(code=code.strip()).first()
    return _info(cell) if cell else None


def grid_cells_in(division_code: str) -> list[GridCellInfo]:
    """The cells in a division (a community, a street, a district or the city), in code order."""
    division = org_selectors.division_get(code=division_code.strip())
    if division is None:
        return []
    prefix = org_selectors.division_subtree_prefix(division)
    return [_info(cell) for cell in _cells().filter(code__startswith=prefix).order_by("code")]


def grid_cell_for_division(division_code: str) -> GridCellInfo | None:
    """The first cell of the community a division code lies in (None above community level or without cells)."""
    if len(division_code.strip()) < COMMUNITY_DIGITS:
        return None
    cell = _cells().filter(division__code=division_code.strip()[:COMMUNITY_DIGITS]).order_by("code").first()
    return _info(cell) if cell else None


def grid_cells_for_worker(user: Any) -> list[GridCellInfo]:
    """The cells a grid worker is assigned to, in code order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [_info(cell) for cell in _cells().filter(workers=user).order_by("code")]


def grid_worker_candidates(*, division_code: str = "") -> list[GridWorker]:
    """Active staff holding the grid worker role, those of units in `division_code` when given (by code prefix)."""
    queryset = (
        get_user_model()
        .objects.filter(kind=UserKind.STAFF, is_active=True, role_assignments__role=Role.GRID_WORKER)
        .select_related("department")
        .distinct()
    )
    if division_code.strip():
        division = org_selectors.division_get(code=division_code.strip())
        if division is None:
            return []
        prefix = org_selectors.division_subtree_prefix(division)
        queryset = queryset.filter(department__division__code__startswith=prefix)
    return [_worker(user) for user in queryset.order_by("username")]


def grid_cell_save(
    *, actor: Actor | None, code: str, name: str, description: str = "", division_code: str = ""
) -> GridCellInfo:
    """Create a cell in a community, or rename and redescribe one; its code is the community's and two digits."""
    require_editor(actor)
    code = code.strip()
    if not CELL_CODE.fullmatch(code):
        raise ValidationFailed(
            _("A grid cell's code is its community's 12-digit code and two digits, e.g. 41980200100101."),
            field="code",
        )
    if division_code.strip() and division_code.strip() != code[:COMMUNITY_DIGITS]:
        raise ValidationFailed(
            _("The code %(code)s does not begin with the community's code %(community)s.")
            % {"code": code, "community": division_code.strip()},
            field="code",
        )
    community = org_selectors.division_get(code=code[:COMMUNITY_DIGITS])
    if community is None or community.level != COMMUNITY_LEVEL:
        raise ValidationFailed(
            _("%(community)s is not a community's code: a grid cell lies in a community.")
            % {"community": code[:COMMUNITY_DIGITS]},
            field="code",
        )
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(_("Give the cell's name."), field="name")
    if len(name) > NAME_LIMIT:
        raise ValidationFailed(
            _("A cell's name is at most %(limit)d characters.") % {"limit": NAME_LIMIT}, field="name"
        )
    description = description.strip()
    if len(description) > DESCRIPTION_LIMIT:
        raise ValidationFailed(
            _("The boundaries are at most %(limit)d characters.") % {"limit": DESCRIPTION_LIMIT},
            field="description",
        )
    with transaction.atomic():
        cell = GridCell.objects.select_for_update(of=("self",)).filter(code=code).first()
        created = cell is None
        if cell is None:
            cell = GridCell(code=code, division_id=community.id)
        cell.name, cell.description = name, description
        cell.save()
        record_event(
            actor=actor,
            action="cases.grid.cell.create" if created else "cases.grid.cell.update",
            object_type="cases.grid_cell",
            object_id=code,
            changes={"name": name, "community": community.code},
        )
    info = grid_cell_get(code)
    assert info is not None
    return info


def grid_cell_assign_workers(*, actor: Actor | None, cell_code: str, worker_ids: Sequence[int]) -> GridCellInfo:
    """Make these grid workers the cell's workers (an empty list leaves the cell without any)."""
    require_editor(actor)
    workers = []
    for worker_id in dict.fromkeys(worker_ids):
        user = identity_selectors.user_get(user_id=worker_id)
        if user is None:
            raise ValidationFailed(_("No active account has id %(id)s.") % {"id": worker_id}, field="worker_ids")
        if user.kind != UserKind.STAFF or not user.has_role(Role.GRID_WORKER):
            raise ValidationFailed(
                _("%(name)s (%(username)s) is not a grid worker: only staff with the grid worker role walk a cell.")
                % {"name": user.real_name, "username": user.username},
                field="worker_ids",
            )
        workers.append(user)
    with transaction.atomic():
        cell = GridCell.objects.select_for_update(of=("self",)).filter(code=cell_code.strip()).first()
        if cell is None:
            raise NotFound(_("No grid cell has code %(code)s.") % {"code": cell_code}, field="cell_code")
        before = sorted(cell.workers.values_list("username", flat=True))
        cell.workers.set(workers)
        record_event(
            actor=actor,
            action="cases.grid.cell.workers",
            object_type="cases.grid_cell",
            object_id=cell.code,
            changes={"before": before, "after": sorted(user.username for user in workers)},
        )
    info = grid_cell_get(cell.code)
    assert info is not None
    return info


def grid_cell_delete(*, actor: Actor | None, code: str) -> None:
    """Remove a cell no case names."""
    require_editor(actor)
    with transaction.atomic():
        cell = GridCell.objects.select_for_update(of=("self",)).filter(code=code.strip()).first()
        if cell is None:
            raise NotFound(_("No grid cell has code %(code)s.") % {"code": code}, field="code")
        if Case.objects.filter(grid_cell=cell).exists():
            raise Conflict(_("Cases were reported in %(name)s: the cell stays.") % {"name": cell.name}, field="code")
        cell.delete()
        record_event(
            actor=actor, action="cases.grid.cell.delete", object_type="cases.grid_cell", object_id=code, changes={}
        )


@dataclass(frozen=True)
class GridCellRow:
    """A cell to create in bulk."""

    code: str
    name: str
    description: str = ""


def grid_cell_bulk_create(*, actor: Actor | None, rows: Sequence[GridCellRow]) -> int:
    """Create the cells of `rows` not stored yet, in one transaction; returns how many were created."""
    require_editor(actor)
    communities = {}
    with transaction.atomic():
        stored = set(GridCell.objects.values_list("code", flat=True))
        new = []
        for row in rows:
            code = row.code.strip()
            if not CELL_CODE.fullmatch(code):
                raise ValidationFailed(
                    _("A grid cell's code is its community's 12-digit code and two digits, e.g. 41980200100101."),
                    field="code",
                )
            if code in stored:
                continue
            community_code = code[:COMMUNITY_DIGITS]
            if community_code not in communities:
                community = org_selectors.division_get(code=community_code)
                if community is None or community.level != COMMUNITY_LEVEL:
                    raise ValidationFailed(
                        _("%(community)s is not a community's code: a grid cell lies in a community.")
                        % {"community": community_code},
                        field="code",
                    )
                communities[community_code] = community.id
            name = " ".join(row.name.split())[:NAME_LIMIT]
            if not name:
                raise ValidationFailed(_("Give the cell's name."), field="name")
            new.append(
                GridCell(
                    code=code,
                    name=name,
                    description=row.description.strip()[:DESCRIPTION_LIMIT],
                    division_id=communities[community_code],
                )
            )
            stored.add(code)
        GridCell.objects.bulk_create(new)
        if new:
            record_event(
                actor=actor,
                action="cases.grid.cell.bulk_create",
                object_type="cases.grid_cell",
                object_id="*",
                changes={"count": len(new)},
            )
    return len(new)
