"""Password policy beyond Django's validators: several character classes."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy, ngettext


class CharacterClassValidator:
    """At least `classes` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def validate(self, password: str, user: object = None) -> None:
        found = sum(
            [
                any(c in string.ascii_lowercase for c in password),
                any(c in string.ascii_uppercase for c in password),
                any(c.isdigit() for c in password),
                any(not c.isascii() or not c.isalnum() for c in password),
            ]
        )
        if found < self.classes:
            raise ValidationError(self.get_help_text(), code="password_character_classes")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(classes)d kind of character: lower-case, upper-case, digits, symbols.",
            "Your password must mix at least %(classes)d kinds of characters: lower-case, upper-case, digits, symbols.",
            self.classes,
        ) % {"classes": self.classes}


PASSWORD_POLICY_TEXT = gettext_lazy(
    "At least 10 characters, mixing at least 3 of: lower-case, upper-case, digits, symbols."
)
