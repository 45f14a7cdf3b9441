"""The private link of a case: an HMAC-SM3 token of its number, keyed by the master key.

Whoever holds the link is taken for the reporter: they see what the reporter sees (`portal.tracked_case`) and may
give the reporter's follow-up (`services.case_follow_up_by_link`).
"""

from __future__ import annotations

from yiwang.core.crypto import blind_index, constant_time_equal

TOKEN_PURPOSE = "cases.tracking"
TOKEN_LENGTH = 32


def tracking_token(number: str) -> str:
    """The token of a case's private link."""
    return blind_index(number, purpose=TOKEN_PURPOSE)[:TOKEN_LENGTH]


def tracking_token_valid(number: str, token: str) -> bool:
    """Whether `token` is the private link's token of case `number` (compared in constant time)."""
    return len(token) == TOKEN_LENGTH and constant_time_equal(tracking_token(number), token)
