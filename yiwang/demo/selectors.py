"""Reading the demo city: whether and how it was loaded (from the audit log), and the logins to print."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from yiwang.core.audit.selectors import audit_events_for_object
from yiwang.demo.city import CITY_CODE, DEFAULT_SEED, city_plan
from yiwang.demo.population import generate_people
from yiwang.identity import selectors as identity_selectors
from yiwang.identity.roles import Role
from yiwang.org.selectors import department_get

DEMO_OBJECT_TYPE = "demo.city"
LOAD_ACTION = "demo.load"
LOAD_COMPLETE_ACTION = "demo.load.complete"


@dataclass(frozen=True)
class DemoCity:
    """The recorded parameters of the demo load, and whether it finished."""

    scale: str
    seed: int
    people: int
    complete: bool


def demo_city() -> DemoCity | None:
    """The latest demo load recorded in the audit log, or None when the demo city was never loaded."""
    event = (
        audit_events_for_object(object_type=DEMO_OBJECT_TYPE, object_id=CITY_CODE)
        .filter(action__in=[LOAD_ACTION, LOAD_COMPLETE_ACTION])
        .first()
    )
    if event is None:
        return None
    changes = event.changes_data
    return DemoCity(
        scale=str(changes["scale"]),
        seed=int(changes["seed"]),
        people=int(changes["people"]),
        complete=event.action == LOAD_COMPLETE_ACTION,
    )


@dataclass(frozen=True)
class DemoLogin:
    """One demo account to print: who it is, what it may do, where it works."""

    username: str
    real_name: str
    roles: tuple[str, ...]
    department: str
    note: str


def demo_logins() -> list[DemoLogin]:
    """The demo accounts that exist: staff in plan order, the named citizens, and one generated citizen."""
    city = demo_city()
    plan = city_plan(seed=city.seed if city else DEFAULT_SEED)
    logins = []
    for member in plan.staff:
        user = identity_selectors.user_find_by_login(member.username)
        if user is None:
            continue
        department = department_get(department_id=user.department_id) if user.department_id else None
        logins.append(
            DemoLogin(
                username=user.username,
                real_name=user.real_name,
                roles=tuple(str(Role(role).label) for role in sorted(user.role_set)),
                department=department.name if department else "",
                note="",
            )
        )
    citizen_role = str(_("Citizen"))
    for named in plan.citizens:
        user = identity_selectors.user_find_by_login(named.username)
        if user is None:
            continue
        notes = [
            (
                _("legal representative of %(name)s")
                if link.capacity == "legal_representative"
                else _("agent of %(name)s")
            )
            % {"name": link.name}
            for link in identity_selectors.enterprises_for(user)
        ]
        logins.append(DemoLogin(user.username, user.real_name, (citizen_role,), "", "; ".join(notes)))
    if city is not None and city.people:
        first = next(generate_people(seed=city.seed, count=1)).citizen
        user = identity_selectors.user_find_by_login(first.username)
        if user is not None:
            note = _("one of %(count)s generated citizens: each logs in with their mobile number") % {
                "count": f"{city.people:,}"
            }
            logins.append(DemoLogin(user.username, user.real_name, (citizen_role,), "", note))
    return logins
