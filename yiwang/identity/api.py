"""API of the identity app: who am I."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from yiwang.identity.api_auth import session_or_bearer
from yiwang.identity.selectors import enterprises_for, user_profile

router = Router(tags=["identity"])


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    capacity: str


class MeOut(Schema):
    username: str
    kind: str
    real_name: str
    id_number_masked: str
    phone_masked: str
    assurance_level: int
    department: str | None
    roles: list[str]
    enterprises: list[EnterpriseOut]


@router.get("/me", response=MeOut, auth=session_or_bearer, summary="The signed-in account (identifiers masked)")
def me(request: HttpRequest) -> MeOut:
    user: Any = request.auth  # type: ignore[attr-defined]
    profile = user_profile(user)
    return MeOut(
        username=profile.username,
        kind=profile.kind,
        real_name=profile.real_name,
        id_number_masked=profile.id_number_masked,
        phone_masked=profile.phone_masked,
        assurance_level=profile.assurance_level,
        department=profile.department.name if profile.department else None,
        roles=list(profile.roles),
        enterprises=[
            EnterpriseOut(id=link.enterprise_id, credit_code=link.credit_code, name=link.name, capacity=link.capacity)
            for link in enterprises_for(user)
        ],
    )
