"""Model fields shared by every app."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Model

from yiwang.core.crypto import decrypt_field, encrypt_field


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column stored encrypted with SM4-GCM, bound to its table and column.

    Values cannot be compared in SQL: look them up through a blind-index column next to them.
    """

    description = "Text encrypted with SM4-GCM"

    def contribute_to_class(self, cls: type[Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.encryption_context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_field(value, context=self.encryption_context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_field(str(value), context=self.encryption_context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            raise TypeError(
                f"{self.encryption_context} is encrypted: look it up through its blind index, not '{lookup_name}'"
            )
        return super().get_lookup(lookup_name)
