"""Forms of the exchange's console pages: they parse input; the services decide whether it is allowed."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin
from yiwang.datahub.catalog.schema import ElementSpec
from yiwang.exchange.masking import is_masked_by_default
from yiwang.exchange.services import MAX_ROTATION_GRACE_HOURS

CLEAR_PREFIX = "clear_"
APPROVE, REFUSE = "approve", "refuse"
PROVIDE, DECLINE = "provide", "decline"


class GroupedFieldsMixin(AccessibleFormMixin):
    """Radio buttons and checkboxes are described by their fieldset (hint and error ids from `auto_id`), not each
    input by ids that do not exist."""

    grouped: tuple[str, ...] = ()

    def mark_errors(self) -> None:
        super().mark_errors()
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name in self.grouped:
            if name in form.fields:
                form.fields[name].widget.attrs.pop("aria-describedby", None)
                form.fields[name].widget.attrs.pop("aria-invalid", None)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- consumer systems ---------------------------------------------------------------------------------


class ConsumerRegisterForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("System name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=_text_area(),
        help_text=_("What the system does and who runs it."),
    )
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)

    def __init__(self, *args: Any, departments: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = list(departments)  # type: ignore[attr-defined]
        if len(departments) == 1:
            self.fields["department"].initial = departments[0][0]


class RotateSecretForm(AccessibleFormMixin, forms.Form):
    grace_hours = forms.IntegerField(
        label=_("Hours the old secret keeps working"),
        min_value=0,
        max_value=MAX_ROTATION_GRACE_HOURS,
        initial=24,
        help_text=_("0 to 72. Use 0 when the old secret may have leaked: it then stops at once."),
    )


class ConsumerRevokeForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=2000,
        widget=_text_area(2),
        error_messages={"required": _("Say why the system is revoked.")},
    )


class RateLimitForm(AccessibleFormMixin, forms.Form):
    rate_limit = forms.IntegerField(
        label=_("Rate limit (requests per second)"),
        min_value=1,
        max_value=10_000,
        help_text=_("1 to 10,000."),
    )


# --- access requests ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementRow:
    """One element of the request form: its checkbox and, when masked by default, its clear-text reason."""

    element: ElementSpec
    checkbox: Any
    clear: forms.BoundField | None


class AccessRequestForm(GroupedFieldsMixin, forms.Form):
    grouped = ("elements",)

    consumer = forms.TypedChoiceField(label=_("Consumer system"), coerce=int)
    resource = forms.ChoiceField(label=_("Resource"))
    elements = forms.MultipleChoiceField(
        label=_("Elements"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Ask only for what the purpose needs. Sensitive elements and personal names are returned masked unless "
            "you justify why they are needed in clear text."
        ),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=2000, widget=_text_area())
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=2000,
        widget=_text_area(2),
        help_text=_("The law, regulation or document that allows this use, with its article."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=_date_input())
    valid_until = forms.DateField(label=_("Valid until"), widget=_date_input())
    expected_volume = forms.IntegerField(label=_("Expected calls per day"), min_value=1, max_value=100_000_000)

    def __init__(
        self,
        *args: Any,
        consumers: Sequence[tuple[int, str]],
        resources: Sequence[tuple[str, str]],
        elements: Sequence[ElementSpec] = (),
        resource_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_until"].initial = today + datetime.timedelta(days=365)
        self.fields["consumer"].choices = list(consumers)  # type: ignore[attr-defined]
        self.fields["resource"].choices = [("", _("Choose a resource")), *resources]  # type: ignore[attr-defined]
        if resource_url:
            # htmx loads the chosen resource's elements in place; without script the "Show" button does it.
            self.fields["resource"].widget.attrs.update(
                {
                    "hx-get": resource_url,
                    "hx-trigger": "change",
                    "hx-target": "#request-elements",
                    "hx-swap": "innerHTML",
                    "aria-controls": "request-elements",
                }
            )
        self.element_specs = list(elements)
        self.fields["elements"].choices = [(item.code, item.name) for item in self.element_specs]  # type: ignore[attr-defined]
        for item in self.element_specs:
            if is_masked_by_default(item):
                self.fields[CLEAR_PREFIX + item.code] = forms.CharField(
                    label=_("Why %(element)s is needed in clear text") % {"element": item.name},
                    required=False,
                    max_length=500,
                    help_text=_("Leave empty to receive it masked."),
                )

    def element_rows(self) -> list[ElementRow]:
        checkboxes = {str(widget.data["value"]): widget for widget in self["elements"]}
        return [
            ElementRow(
                element=item,
                checkbox=checkboxes[item.code],
                clear=self[CLEAR_PREFIX + item.code] if CLEAR_PREFIX + item.code in self.fields else None,
            )
            for item in self.element_specs
        ]

    def clear_elements(self) -> dict[str, str]:
        """The elements asked in clear text, each with its justification (empty boxes left out)."""
        return {
            name.removeprefix(CLEAR_PREFIX): value.strip()
            for name, value in self.cleaned_data.items()
            if name.startswith(CLEAR_PREFIX) and value and value.strip()
        }


class ComplianceForm(GroupedFieldsMixin, forms.Form):
    grouped = ("decision",)

    decision = forms.ChoiceField(
        label=_("Compliance check"),
        choices=[(APPROVE, _("Compliant: pass it to the source department")), (REFUSE, _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=_text_area(),
        help_text=_("Required to refuse: the requesting department reads it."),
    )


class SourceDecisionForm(GroupedFieldsMixin, forms.Form):
    grouped = ("decision",)

    decision = forms.ChoiceField(
        label=_("Decision of the source department"),
        choices=[(APPROVE, _("Grant the request")), (REFUSE, _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for refusal"),
        required=False,
        max_length=2000,
        widget=_text_area(),
        help_text=_("Required to refuse: the requesting department reads it."),
    )


class GrantRevokeForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking the grant"),
        max_length=2000,
        widget=_text_area(2),
        error_messages={"required": _("Say why the grant is revoked.")},
    )


# --- data demands --------------------------------------------------------------------------------------


class DemandForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What data is needed"),
        max_length=4000,
        widget=_text_area(4),
        help_text=_("The subjects, the elements and how often; the platform routes it to the likely source."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=2000, widget=_text_area())
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=2000, widget=_text_area(2))
    department = forms.TypedChoiceField(label=_("Requesting department"), coerce=int)

    def __init__(self, *args: Any, departments: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = list(departments)  # type: ignore[attr-defined]


class DemandRouteForm(AccessibleFormMixin, forms.Form):
    department = forms.TypedChoiceField(label=_("Department to answer"), coerce=int)

    def __init__(self, *args: Any, departments: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Choose a department")), *departments]  # type: ignore[attr-defined]


class DemandAnswerForm(GroupedFieldsMixin, forms.Form):
    grouped = ("decision",)

    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[(PROVIDE, _("We provide the data")), (DECLINE, _("We decline"))],
        widget=forms.RadioSelect,
    )
    resource = forms.ChoiceField(
        label=_("Published resource that holds it"),
        required=False,
        help_text=_("Optional, when providing: the requesting department can then ask for access to it."),
    )
    answer = forms.CharField(
        label=_("Answer to the requesting department"),
        required=False,
        max_length=4000,
        widget=_text_area(),
        help_text=_("Required: how the data is provided, or why it cannot be."),
    )

    def __init__(self, *args: Any, resources: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", _("None")), *resources]  # type: ignore[attr-defined]


# --- the log and statistics ------------------------------------------------------------------------------


class LogFilterForm(AccessibleFormMixin, forms.Form):
    resource = forms.CharField(label=_("Resource"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=_date_input())
    until = forms.DateField(label=_("To"), required=False, widget=_date_input())
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        return data


class PeriodForm(AccessibleFormMixin, forms.Form):
    since = forms.DateField(label=_("From"), widget=_date_input())
    until = forms.DateField(label=_("To"), widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        if since and until and (until - since).days > 3 * 366:
            self.add_error("since", _("Choose a period of at most three years."))
        return data
