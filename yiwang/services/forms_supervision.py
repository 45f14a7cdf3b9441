"""The supervision board's filter (electronic supervision, 电子监察): department, item and level, all optional."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin
from yiwang.services.models.supervision import WarningLevel


class BoardFilterForm(AccessibleFormMixin, forms.Form):
    """Platform administrators choose the department (`departments` given); others see their own, without a field.
    The items offered are the chosen department's, so an item of another department is an invalid choice."""

    department = forms.TypedChoiceField(label=_("Department"), coerce=int, required=False, empty_value=None)
    item = forms.ChoiceField(
        label=_("Item"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the department's items, or every item.")},
    )
    level = forms.TypedChoiceField(label=_("Level"), coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        *args: Any,
        departments: Sequence[tuple[int, str]] | None,
        items: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].choices = [("", _("Every department")), *departments]  # type: ignore[attr-defined]
        self.fields["item"].choices = [("", _("Every item")), *items]  # type: ignore[attr-defined]
        levels = [(int(level), label) for level, label in WarningLevel.choices if level != WarningLevel.NONE]
        self.fields["level"].choices = [("", _("Every level")), *levels]  # type: ignore[attr-defined]
