"""Where the current request comes from, for audit events written deep inside services."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    """The client address of the request being served (None outside a request)."""

    ip_address: str | None


_origin: ContextVar[RequestOrigin | None] = ContextVar("yiwang_audit_origin", default=None)


def current_origin() -> RequestOrigin | None:
    """The origin set by the middleware for this request or task, if any."""
    return _origin.get()


def set_origin(origin: RequestOrigin | None) -> object:
    """Set the origin; returns a token for `reset_origin`."""
    return _origin.set(origin)


def reset_origin(token: object) -> None:
    """Restore the origin that was current before `set_origin`."""
    _origin.reset(token)  # type: ignore[arg-type]
