"""Forms of the service pages: they parse input; the catalog's services decide whether it is allowed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin
from yiwang.services.models import ItemType

QUERY_LENGTH = 100


def _department_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=_("Department"), coerce=int, required=False, empty_value=None)


class GuideSearchForm(AccessibleFormMixin, forms.Form):
    """The public guide's search: words in Chinese, an item type, a department; every part may be left empty."""

    q = forms.CharField(
        label=_("Search for a service"),
        required=False,
        max_length=QUERY_LENGTH,
        help_text=_("A few words or an abbreviation, for example 社保, 户口 or 营业执照."),
    )
    item_type = forms.ChoiceField(label=_("Item type"), required=False)
    department = _department_field()

    def __init__(self, *args: Any, departments: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_type"].choices = [("", _("Any type")), *ItemType.choices]  # type: ignore[attr-defined]
        self.fields["department"].choices = [("", _("Any department")), *departments]  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["autocomplete"] = "off"


class DepartmentFilterForm(AccessibleFormMixin, forms.Form):
    """Platform administrators choose whose items the console lists."""

    department = _department_field()

    def __init__(self, *args: Any, departments: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Every department")), *departments]  # type: ignore[attr-defined]


class ActionForm(AccessibleFormMixin, forms.Form):
    """A button without fields (publish, new draft): it carries the service's refusal back to the page."""


class RetireForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for retiring"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit log."),
        error_messages={"required": _("Say why the item is retired.")},
    )
