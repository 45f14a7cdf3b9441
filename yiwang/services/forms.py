"""Forms of the service pages: they parse input; the catalog's and the applications' services decide whether it
is allowed, and an item's JSON Schema whether an application's answers are complete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin
from yiwang.services.models import ItemType, SpecialProcedureKind

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


# --- applications: the applicant's forms --------------------------------------------------------------------------

LONG_TEXT = 200  # a string field allowing more characters than this is a text area
MISSING = object()  # an answer left empty: the key stays out of the answers, so the schema's `required` sees it


class StartApplicationForm(AccessibleFormMixin, forms.Form):
    """Starting an application: what the applicant applies for, when the item has several handling items."""

    handling_item = forms.ChoiceField(label=_("What do you apply for?"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, handling_items: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(handling_items) > 1:
            self.fields["handling_item"].choices = list(handling_items)  # type: ignore[attr-defined]
        else:
            del self.fields["handling_item"]  # nothing to choose: the only one, or the item itself


class AnswerField(forms.Field):
    """One field of an item's application form, holding what was typed: the item's JSON Schema judges it when the
    application is submitted, so that a draft may be saved half-filled. `required` only marks the label."""

    def __init__(self, *, kind: str, options: Sequence[tuple[Any, str]] = (), **kwargs: Any) -> None:
        self.kind = kind
        self.options = list(options)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if self.kind == "boolean":
            return bool(value)
        return "" if value is None else str(value).strip()

    def validate(self, value: Any) -> None:
        """Nothing here: the schema's rules are checked on submission, every problem at once."""

    def answer(self, value: Any) -> Any:
        """The value as the JSON Schema reads it; what cannot be read as its kind is left as typed, for the schema
        to name the problem."""
        if self.kind == "boolean":
            return bool(value)
        if value in (None, ""):
            return MISSING
        if self.kind == "enum":
            return next((option for option, _label in self.options if str(option) == value), value)
        if self.kind in {"number", "integer"}:
            for parse in (int, float):
                try:
                    number = parse(value)
                except ValueError:
                    continue
                if number == number and number not in (float("inf"), float("-inf")):  # not NaN nor infinite
                    return number
        return value


def _schema_type(definition: dict[str, Any]) -> str:
    kind = definition.get("type", "string")
    if isinstance(kind, list):  # ["string", "null"]: the first that is not null
        kind = next((name for name in kind if name != "null"), "string")
    return str(kind)


def _options(definition: dict[str, Any]) -> list[tuple[Any, str]]:
    """The values to choose from: `enum`, or `oneOf` constants with titles."""
    if isinstance(definition.get("enum"), list):
        return [(value, str(value)) for value in definition["enum"]]
    choices = definition.get("oneOf") or definition.get("anyOf")
    if isinstance(choices, list) and choices and all(isinstance(c, dict) and "const" in c for c in choices):
        return [(choice["const"], str(choice.get("title", choice["const"]))) for choice in choices]
    return []


def _answer_field(definition: dict[str, Any], *, required: bool) -> AnswerField | None:
    """The input for one property of the form's schema; None for a kind the page cannot show (objects, lists)."""
    common: dict[str, Any] = {
        "label": str(definition.get("title", "")),
        "required": required,
        "help_text": str(definition.get("description", "")),
    }
    options = _options(definition)
    kind = _schema_type(definition)
    widget: forms.Widget
    if options:
        widget = forms.Select(choices=[("", _("Choose…")), *[(str(value), label) for value, label in options]])
        return AnswerField(kind="enum", options=options, widget=widget, **common)
    if kind == "boolean":
        return AnswerField(kind=kind, widget=forms.CheckboxInput, **common)
    if kind in {"number", "integer"}:
        whole = kind == "integer"
        attrs = {"step": "1" if whole else "any", "inputmode": "numeric" if whole else "decimal"}
        for keyword, attribute in (("minimum", "min"), ("maximum", "max")):
            if isinstance(definition.get(keyword), int | float):
                attrs[attribute] = str(definition[keyword])
        return AnswerField(kind=kind, widget=forms.NumberInput(attrs=attrs), **common)
    if kind != "string":
        return None
    limit = definition.get("maxLength")
    attrs = {"maxlength": str(limit)} if isinstance(limit, int) else {}
    if definition.get("format") == "email":
        widget = forms.EmailInput(attrs={**attrs, "autocomplete": "email"})
    elif definition.get("format") == "date":
        widget = forms.TextInput(attrs=attrs)
        widget.input_type = "date"
    elif isinstance(limit, int) and limit > LONG_TEXT:
        widget = forms.Textarea(attrs={**attrs, "rows": 4})
    else:
        widget = forms.TextInput(attrs=attrs)
    return AnswerField(kind=kind, widget=widget, **common)


class ApplicationAnswersForm(AccessibleFormMixin, forms.Form):
    """An item's application form, built from its JSON Schema: a field per property, in the schema's order."""

    prefix = "answers"

    def __init__(self, *args: Any, schema: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        required = set(schema.get("required", []))
        for name, definition in (schema.get("properties") or {}).items():
            field = _answer_field(definition, required=name in required) if isinstance(definition, dict) else None
            if field is not None:
                self.fields[name] = field

    def answers(self, *, saved: dict[str, Any]) -> dict[str, Any]:
        """The answers for the schema (call after is_valid); answers the page cannot show keep their saved value."""
        answers = {name: value for name, value in saved.items() if name not in self.fields}
        for name, field in self.fields.items():
            value = field.answer(self.cleaned_data.get(name)) if isinstance(field, AnswerField) else MISSING
            if value is not MISSING:
                answers[name] = value
        return answers

    def add_problems(self, problems: Sequence[tuple[str, Any]]) -> None:
        """Put each of the schema's problems on its field (a nested one on its top field), the rest above."""
        for path, message in problems:
            name = path.split(".")[0]
            self.add_error(name if name in self.fields else None, str(message))


def _note(label: Any, *, required: bool = False, help_text: Any = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def lines_of(text: str) -> list[str]:
    """The non-empty lines of a text area listing one thing per line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class SupplementAnswerForm(AccessibleFormMixin, forms.Form):
    note = _note(_("Note to the department"), help_text=_("What you changed or supplied, if it helps."))


class WithdrawForm(AccessibleFormMixin, forms.Form):
    reason = _note(_("Reason"), help_text=_("Optional. The department sees it."))


# --- applications: the console's steps ------------------------------------------------------------------------------

ONE_PER_LINE = _("One per line.")


class OpinionForm(AccessibleFormMixin, forms.Form):
    """Accepting, starting to handle: an opinion may be added."""

    opinion = _note(_("Opinion"), help_text=_("Optional. Recorded in the application's history."), rows=2)


class ReasonsForm(AccessibleFormMixin, forms.Form):
    """Refusing, revoking: the written reasons the applicant receives."""

    reasons = _note(_("Reasons"), required=True, help_text=_("The applicant receives them in writing."))


class SupplementRequestForm(AccessibleFormMixin, forms.Form):
    missing = _note(_("What is missing"), required=True, help_text=ONE_PER_LINE, rows=4)
    notice = _note(_("Notice to the applicant"), help_text=_("Optional: how to supply what is missing."), rows=2)


class SpecialStartForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Procedure"), choices=[("", _("Choose…")), *SpecialProcedureKind.choices])
    reason = _note(_("Reason and basis"), required=True, rows=2)


class SpecialEndForm(AccessibleFormMixin, forms.Form):
    result = _note(_("Result of the procedure"), required=True, rows=2)


class ExtendForm(AccessibleFormMixin, forms.Form):
    days = forms.IntegerField(label=_("Working days added"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    reason = _note(_("Reasons"), required=True, help_text=_("The applicant is told the reasons and the new deadline."))


class FeeForm(AccessibleFormMixin, forms.Form):
    """A fee charged: its name as the item's fee list gives it (another name is recorded, and flagged)."""

    name = forms.CharField(
        label=_("Fee"), max_length=200, help_text=_("As the item's fee list names it; any other fee is flagged.")
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=0.01,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class DecideForm(AccessibleFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("approved", _("Approved")),
            ("approved_with_tolerance", _("Approved with tolerance (容缺): materials still owed")),
            ("not_approved", _("Not approved")),
        ],
    )
    opinion = _note(_("Opinion"), help_text=_("Required when the application is not approved: the written reasons."))
    tolerated = _note(_("Materials still owed"), help_text=_("With tolerance only. One per line."), rows=2)


class ReviewForm(AccessibleFormMixin, forms.Form):
    """A review step of the process (审查, or one signature of a countersign)."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        widget=forms.RadioSelect,
        choices=[("agree", _("Agree")), ("disagree", _("Disagree"))],
    )
    opinion = _note(_("Opinion"), help_text=_("Required when you disagree: your reasons."))


class InboxFilterForm(AccessibleFormMixin, forms.Form):
    """The inbox by status (open statuses only)."""

    status = forms.TypedChoiceField(label=_("Status"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, statuses: Sequence[tuple[int, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Every open status")), *statuses]  # type: ignore[attr-defined]
