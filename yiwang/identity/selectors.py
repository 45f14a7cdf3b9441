"""Reads on accounts, and the department-scoping helper that every app uses to filter what staff see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from yiwang.core.identifiers import InvalidIdentifier, mask_id_number, mask_phone, validate_phone
from yiwang.identity.models import AgentAuthorisation, Enterprise, User
from yiwang.identity.roles import Role, UserKind
from yiwang.identity.services import id_number_index, phone_index
from yiwang.org.selectors import (
    DepartmentInfo,
    department_get,
    department_ids_in_division_subtree,
    department_subtree_ids,
)

ModelT = TypeVar("ModelT", bound=Model)

# Roles whose holders oversee every department of their level (their division and below).
OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})


def user_find_by_login(login: str) -> User | None:
    """The account a login name refers to: a username, or a mobile number through its blind index."""
    login = login.strip()
    if not login:
        return None
    user = User.objects.filter(username=login).first()
    if user is not None:
        return user
    try:
        phone = validate_phone(login)
    except InvalidIdentifier:
        return None
    return User.objects.filter(phone_index=phone_index(phone)).first()


def user_find_by_id_number(id_number: str) -> User | None:
    """The account holding this (normalised) ID number."""
    return User.objects.filter(id_number_index=id_number_index(id_number)).first()


def visible_department_ids(user: User) -> frozenset[int] | None:
    """Departments whose records a staff member may see; None means all of them.

    Platform administrators see everything. Supervisors and leaders see every department located in
    their department's division or below it (a city leader the whole city, a district leader the
    district). Other staff see their own department and its sub-units. Citizens and anonymous users: none.
    """
    if not user.is_authenticated or not user.is_active or user.kind != UserKind.STAFF:
        return frozenset()
    if user.has_role(Role.PLATFORM_ADMIN):
        return None
    if user.department_id is None:
        return frozenset()
    if user.role_set & OVERSIGHT_ROLES:
        return department_ids_in_division_subtree(department_id=user.department_id) | department_subtree_ids(
            department_id=user.department_id
        )
    return department_subtree_ids(department_id=user.department_id)


def scope_to_departments(queryset: QuerySet[ModelT], user: User, *, field: str = "department") -> QuerySet[ModelT]:
    """Filter any queryset down to the rows of departments `user` may see (`field` names the department FK)."""
    visible = visible_department_ids(user)
    if visible is None:
        return queryset
    if not visible:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": visible})


def can_see_department(user: User, department_id: int | None) -> bool:
    """Whether `user` may see records of one department."""
    visible = visible_department_ids(user)
    return visible is None or (department_id is not None and department_id in visible)


@dataclass(frozen=True)
class StaffSummary:
    """A staff member in a list: no personal data beyond name and work contact."""

    id: int
    username: str
    real_name: str
    department_id: int | None
    department_name: str
    position: str
    roles: tuple[str, ...]
    is_active: bool
    has_second_factor: bool


def staff_list(*, viewer: User, search: str = "", department_id: int | None = None) -> list[StaffSummary]:
    """Staff accounts the viewer may see, filtered by name or username and department."""
    queryset = scope_to_departments(
        User.objects.filter(kind=UserKind.STAFF).select_related("department").prefetch_related("role_assignments"),
        viewer,
    )
    if search:
        queryset = queryset.filter(Q(username__icontains=search) | Q(real_name__contains=search))
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    return [
        StaffSummary(
            id=user.pk,
            username=user.username,
            real_name=user.real_name,
            department_id=user.department_id,
            department_name=user.department.name if user.department else "",
            position=user.position,
            roles=tuple(sorted(assignment.role for assignment in user.role_assignments.all())),
            is_active=user.is_active,
            has_second_factor=user.pk in with_device,
        )
        for user in queryset.order_by("department__name", "username")[:500]
    ]


@dataclass(frozen=True)
class Profile:
    """What a user sees of their own account (identifiers masked until they ask to reveal them)."""

    username: str
    kind: str
    real_name: str
    id_number_masked: str
    phone_masked: str
    email: str
    assurance_level: int
    assurance_label: str
    department: DepartmentInfo | None
    roles: tuple[str, ...]
    large_text: bool
    language: str


def user_profile(user: User) -> Profile:
    """The signed-in user's own profile."""
    from yiwang.identity.roles import AssuranceLevel

    return Profile(
        username=user.username,
        kind=user.kind,
        real_name=user.real_name,
        id_number_masked=mask_id_number(user.id_number) if user.id_number else "",
        phone_masked=mask_phone(user.phone) if user.phone else "",
        email=user.email,
        assurance_level=user.assurance_level,
        assurance_label=str(AssuranceLevel(user.assurance_level).label),
        department=department_get(department_id=user.department_id) if user.department_id else None,
        roles=tuple(sorted(user.role_set)),
        large_text=user.large_text,
        language=user.language,
    )


@dataclass(frozen=True)
class EnterpriseLink:
    """An enterprise a citizen may act for, and in what capacity."""

    enterprise_id: int
    credit_code: str
    name: str
    capacity: str  # "legal_representative" or "agent"
    valid_until: datetime.date | None


def enterprises_for(user: User) -> list[EnterpriseLink]:
    """Enterprises the user represents or is currently authorised to act for."""
    if not user.is_authenticated or user.kind != UserKind.CITIZEN:
        return []
    links = [
        EnterpriseLink(item.pk, item.credit_code, item.name, "legal_representative", None)
        for item in Enterprise.objects.filter(legal_representative=user).order_by("name")
    ]
    today = timezone.localdate()
    for authorisation in (
        AgentAuthorisation.objects.filter(agent=user, revoked_at=None)
        .filter(Q(valid_until=None) | Q(valid_until__gte=today))
        .select_related("enterprise")
        .order_by("enterprise__name")
    ):
        enterprise = authorisation.enterprise
        links.append(
            EnterpriseLink(enterprise.pk, enterprise.credit_code, enterprise.name, "agent", authorisation.valid_until)
        )
    return links


def can_act_for(user: User, enterprise_id: int) -> bool:
    """Whether the user may act for the enterprise right now."""
    return any(link.enterprise_id == enterprise_id for link in enterprises_for(user))


@dataclass(frozen=True)
class AgentSummary:
    """An agent of an enterprise, as its legal representative sees them."""

    authorisation_id: int
    real_name: str
    id_number_masked: str
    granted_at: datetime.datetime
    valid_until: datetime.date | None


def enterprise_agents(*, viewer: User, enterprise_id: int) -> list[AgentSummary]:
    """Live authorisations of an enterprise, visible to its legal representative only."""
    enterprise = Enterprise.objects.filter(pk=enterprise_id, legal_representative=viewer).first()
    if enterprise is None:
        return []
    return [
        AgentSummary(
            authorisation_id=item.pk,
            real_name=item.agent.real_name,
            id_number_masked=mask_id_number(item.agent.id_number) if item.agent.id_number else "",
            granted_at=item.granted_at,
            valid_until=item.valid_until,
        )
        for item in AgentAuthorisation.objects.filter(enterprise=enterprise, revoked_at=None).select_related("agent")
    ]


def has_confirmed_second_factor(user: User) -> bool:
    """Whether the user has a confirmed authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def user_count_by_kind() -> dict[str, int]:
    """How many accounts of each kind exist."""
    return {kind.value: User.objects.filter(kind=kind).count() for kind in UserKind}


@dataclass(frozen=True)
class ClientSummary:
    """A relying party as administrators see it."""

    pk: int
    name: str
    client_id: str
    confidential: bool
    department: str
    redirect_uris: tuple[str, ...]
    trusted_for_staff: bool


def oidc_clients() -> list[ClientSummary]:
    """Every registered OpenID Connect client."""
    from oauth2_provider.models import Application

    from yiwang.identity.models import OidcClient

    records = {item.application_id: item for item in OidcClient.objects.select_related("department")}
    result = []
    for application in Application.objects.order_by("name"):
        record = records.get(application.pk)
        result.append(
            ClientSummary(
                pk=application.pk,
                name=application.name,
                client_id=application.client_id,
                confidential=application.client_type == Application.CLIENT_CONFIDENTIAL,
                department=record.department.name if record else "",
                redirect_uris=tuple(application.redirect_uris.split()),
                trusted_for_staff=bool(record and record.trusted_for_staff),
            )
        )
    return result


def acting_enterprise_id(session: dict[str, object], user: User) -> int | None:
    """The enterprise the user currently acts for, if the authorisation still holds."""
    raw = session.get("yiwang_acting_enterprise")
    if isinstance(raw, int) and can_act_for(user, raw):
        return raw
    return None


@dataclass(frozen=True)
class NextAction:
    """Something the user should do next, shown on their home page."""

    label: str
    url_name: str


def citizen_next_actions(user: User) -> list[NextAction]:
    """What a citizen's home page suggests: verification, contact details, enterprise registration."""
    from django.utils.translation import gettext as _

    from yiwang.identity.realname import configured_matcher
    from yiwang.identity.roles import AssuranceLevel

    actions: list[NextAction] = []
    if user.assurance_level < AssuranceLevel.REGISTRY_MATCHED and configured_matcher() is not None:
        actions.append(NextAction(_("Verify your real name against the population registry"), "identity:profile"))
    if not user.email:
        actions.append(NextAction(_("Add an e-mail address for notices"), "identity:contact"))
    if not enterprises_for(user):
        actions.append(
            NextAction(
                _("Running a business? Register your enterprise or ask to be its agent"),
                "identity:enterprises",
            )
        )
    return actions


@dataclass(frozen=True)
class StaffDetail:
    """One staff account with its work contact details, for administrators (reading it is audited)."""

    id: int
    username: str
    real_name: str
    department_name: str
    position: str
    phone: str
    email: str
    roles: tuple[str, ...]
    is_active: bool
    has_second_factor: bool
    last_login: datetime.datetime | None


def staff_detail(*, user_id: int) -> StaffDetail | None:
    """A staff account by id."""
    member = User.objects.filter(pk=user_id, kind=UserKind.STAFF).select_related("department").first()
    if member is None:
        return None
    return StaffDetail(
        id=member.pk,
        username=member.username,
        real_name=member.real_name,
        department_name=member.department.name if member.department else "",
        position=member.position,
        phone=member.phone,
        email=member.email,
        roles=tuple(sorted(member.role_set)),
        is_active=member.is_active,
        has_second_factor=has_confirmed_second_factor(member),
        last_login=member.last_login,
    )


def staff_next_actions(user: User, *, today: datetime.date | None = None) -> list[NextAction]:
    """What a staff member's workbench suggests: contact details; for administrators, platform upkeep."""
    from django.utils.translation import gettext as _

    from yiwang.core.calendar.selectors import calendar_year_summary

    actions: list[NextAction] = []
    today = today or timezone.localdate()
    if user.has_role(Role.PLATFORM_ADMIN):
        # The State Council publishes next year's holidays around November; until they are loaded,
        # every deadline that falls in that year is provisional.
        if today.month >= 10 and calendar_year_summary(today.year + 1)["provisional"]:
            actions.append(
                NextAction(
                    _("Load the official holiday schedule of %(year)d (deadlines in it are provisional until then)")
                    % {"year": today.year + 1},
                    "admin:core_calendaryear_changelist",
                )
            )
        if not oidc_clients():
            actions.append(
                NextAction(_("Register the first departmental system for single sign-on"), "identity:clients")
            )
    if not user.email:
        actions.append(NextAction(_("Add an e-mail address, to be told if your account is locked"), "identity:contact"))
    return actions


def enterprise_codes_registered(codes: Iterable[str], *, chunk: int = 900) -> set[str]:
    """Which of these credit codes belong to registered enterprises (looked up in chunks)."""
    pending = list(codes)
    found: set[str] = set()
    for start in range(0, len(pending), chunk):
        found.update(
            Enterprise.objects.filter(credit_code__in=pending[start : start + chunk]).values_list(
                "credit_code", flat=True
            )
        )
    return found


def user_get(*, user_id: int) -> User | None:
    """An active account by id (for background tasks that act on someone's behalf)."""
    return User.objects.filter(pk=user_id, is_active=True).select_related("department").first()


def staff_emails(*, roles: Iterable[str], department_id: int | None = None) -> list[str]:
    """E-mail addresses of active staff holding any of `roles` (in one department, or anywhere when None)."""
    queryset = User.objects.filter(kind=UserKind.STAFF, is_active=True, role_assignments__role__in=list(roles)).exclude(
        email=""
    )
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    return sorted(set(queryset.values_list("email", flat=True)))


@dataclass(frozen=True)
class EnterpriseInfo:
    enterprise_id: int
    credit_code: str
    name: str


def enterprise_get(*, enterprise_id: int) -> EnterpriseInfo | None:
    """An enterprise's name and credit code (for documents issued to it)."""
    found = Enterprise.objects.filter(pk=enterprise_id).values_list("pk", "credit_code", "name").first()
    return EnterpriseInfo(*found) if found else None


def enterprise_get_by_code(*, credit_code: str) -> EnterpriseInfo | None:
    found = (
        Enterprise.objects.filter(credit_code=(credit_code or "").strip().upper())
        .values_list("pk", "credit_code", "name")
        .first()
    )
    return EnterpriseInfo(*found) if found else None
