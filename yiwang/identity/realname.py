"""The seam through which the data hub confirms a citizen's real name (可信等级 3).

Identity does not know where the population registry lives. The data hub (a later app, which may import
identity but not the reverse) provides a matcher and names it in `YIWANG_REAL_NAME_MATCHER`. Until then
there is no matcher and the platform says so instead of pretending to check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.module_loading import import_string


class MatchOutcome(StrEnum):
    MATCHED = "matched"
    NAME_MISMATCH = "name_mismatch"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class RealNameMatch:
    """What the registry said about a name and an ID number; `source` names the registry for the audit log."""

    outcome: MatchOutcome
    source: str


RealNameMatcher = Callable[[str, str], RealNameMatch]


def configured_matcher() -> RealNameMatcher | None:
    """The matcher named in settings, or None when no registry is connected yet."""
    path = getattr(settings, "YIWANG_REAL_NAME_MATCHER", None)
    if not path:
        return None
    matcher: RealNameMatcher = import_string(path)
    return matcher
