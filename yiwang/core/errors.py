"""Errors shared by every app: what went wrong, and where."""

from __future__ import annotations

from typing import cast

from django.utils.functional import Promise, lazy


class YiwangError(Exception):
    """Base of the platform's expected errors: each carries a message fit to show a person."""

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class ValidationFailed(YiwangError):
    """Input that breaks a rule: the message says which rule, `field` says where."""


class PermissionDenied(YiwangError):
    """The actor may not do this."""

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "forbidden") -> None:
        super().__init__(message, field=field, code=code)


class NotFound(YiwangError):
    """The object does not exist, or the actor may not know that it does."""

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "not_found") -> None:
        super().__init__(message, field=field, code=code)


class Conflict(YiwangError):
    """The change collides with the current state (a duplicate, a concurrent edit)."""

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "conflict") -> None:
        super().__init__(message, field=field, code=code)


def lazy_format(message: str | Promise, params: dict[str, object]) -> Promise:
    """A message filled with `params` when it is shown, in the language active then (not when it is raised).

    For errors that are shown in more than one language, such as the gateway's problem documents (Chinese
    `detail`, English `detail_en`): pass a `gettext_lazy` message.
    """
    return cast(Promise, lazy(lambda: str(message) % params, str)())
