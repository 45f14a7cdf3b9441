"""Forms of the case pages (console, grid, portal): they parse input; the lifecycle services decide.

Dynamic choices (places, grid cells, categories, units) come in a `Choices` built by the view, so that a form never
reads the database itself. Field names follow the services' argument names, so that a service's error lands on the
field it names (`add_service_error`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.cases.models import CaseType, Satisfaction
from yiwang.core.forms import AccessibleFormMixin

INTAKE_FORM_ID = "intake-form"
# What the intake page's suggestions are computed from (htmx sends these fields with each request).
SUGGESTION_INPUTS = (
    "#id_content, #id_contact_phone, #id_division_code, #id_category_code, #id_lead_department_id, "
    "#id_co_department_ids, #id_case_type"
)
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
FILE_TYPES = (*PHOTO_TYPES, "application/pdf")

Grouped = Sequence[tuple[str, Sequence[tuple[str, str]]]]


@dataclass(frozen=True)
class Choices:
    """The options of the select boxes, as the view read them."""

    places: Sequence[tuple[str, str]] = ()  # division code → "清河区 › 滨河街道 › 柳园社区"
    cells: Sequence[tuple[str, str]] = ()  # grid cell code → "code name"
    categories: Grouped = ()  # heading → leaves (code, "code name")
    units: Sequence[tuple[int, str]] = ()  # department id → name
    extra: dict[str, Any] = field(default_factory=dict)


def _blank(label: Any, options: Sequence[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", label), *options]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (at most `MAX_FILES`); the service checks each file's content."""

    def __init__(self, *args: Any, accept: str = "image/*,application/pdf", **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_FILES})
        for upload in files:
            check_upload(upload, FILE_TYPES)
        return files


def check_upload(upload: Any, types: Sequence[str]) -> None:
    """The cheap checks before anything is saved (the service reads the content again)."""
    if getattr(upload, "content_type", "") not in types:
        if types == PHOTO_TYPES:
            raise forms.ValidationError(_("Attach a photo (JPEG, PNG or WebP)."))
        raise forms.ValidationError(_("Attach a photo (JPEG, PNG, WebP) or a PDF."))
    if (upload.size or 0) > MAX_FILE_BYTES:
        raise forms.ValidationError(_("The file is larger than 10 MB."))


class PhotoField(forms.FileField):
    """One photo, taken with the phone's camera where there is one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            check_upload(upload, PHOTO_TYPES)
        return upload


def _text(label: Any, *, required: bool = True, rows: int = 4, max_length: int = 4000, **kwargs: Any) -> forms.Field:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class Form(AccessibleFormMixin, forms.Form):
    """A form of these pages: accessible errors, choices from the view."""

    def __init__(self, *args: Any, choices: Choices | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices or Choices()
        self.set_choices()

    def set_choices(self) -> None:
        options = self.choices
        for name, form_field in self.fields.items():
            if not isinstance(form_field, forms.ChoiceField):
                continue
            if name == "division_code":
                form_field.choices = _blank(_("— not known —"), options.places)
            elif name == "grid_cell_code":
                form_field.choices = _blank(_("— none —"), options.cells)
            elif name == "category_code":
                form_field.choices = [("", _("— choose —")), *options.categories]
            elif name in {"lead_department_id", "suggested_department_id", "reassign_to_id"}:
                form_field.choices = _blank(_("— choose —"), options.units)
            elif name == "co_department_ids":
                form_field.choices = list(options.units)


def _choice(label: Any, *, required: bool = False, help_text: Any = "") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=required, help_text=help_text, choices=())


def _unit(label: Any, *, required: bool = False, help_text: Any = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=required, help_text=help_text, coerce=int, empty_value=None, choices=()
    )


def _co_units() -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=_("Co-units"),
        required=False,
        coerce=int,
        choices=(),
        help_text=_("Units that help the lead unit (协办). Hold Ctrl or ⌘ to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


def _case_type(help_text: Any = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Type of request"),
        choices=_blank(_("— choose —"), CaseType.choices),
        help_text=help_text,
        error_messages={"required": _("Choose the type of the request.")},
    )


# --- the console: taking a call ---------------------------------------------------------------------------------


class IntakeForm(Form):
    """话务员受理: who calls, what they ask and where; optionally the dispatch at once."""

    contact_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=30,
        help_text=_("The number to call back. The caller's earlier cases appear as you type it."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    contact_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    hide_reporter = forms.BooleanField(
        label=_("Keep the caller's name and phone from the handling units (保密)"), required=False
    )
    case_type = _case_type()
    content = _text(
        _("What the caller says"),
        rows=6,
        help_text=_("In the caller's words: what, where, since when. Likely duplicates and routing appear below."),
        error_messages={"required": _("Write down what the caller says.")},
    )
    division_code = _choice(_("Community, street or district"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    grid_cell_code = _choice(_("Grid cell"))
    attachments = MultipleFileField(
        label=_("Photos or documents"), help_text=_("JPEG, PNG, WebP or PDF, at most 10 MB each, five at most.")
    )
    category_code = _choice(
        pgettext_lazy("case", "Category"), help_text=_("Needed to dispatch; the routing suggestion is below.")
    )
    lead_department_id = _unit(_("Lead unit"))
    co_department_ids = _co_units()
    note = forms.CharField(
        label=_("Note to the units"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    direct_reply = forms.CharField(
        label=_("Answer given (direct conclusion)"),
        max_length=4000,
        required=False,
        help_text=_("For a consultation answered during the call; empty: the chosen article's answer."),
        widget=forms.Textarea(attrs={"rows": 3, "form": INTAKE_FORM_ID}),
    )
    article_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def follow_category(self, suggestions_url: str) -> None:
        """The category select asks for the suggestions itself when changed: it is swapped out of band with the
        dispatch fields, so a listener bound elsewhere to the element first drawn would be lost."""
        self.fields["category_code"].widget.attrs.update(
            {
                "hx-get": suggestions_url,
                "hx-trigger": "change",
                "hx-target": "#suggestions",
                "hx-include": SUGGESTION_INPUTS,
                "hx-sync": "#suggestions:queue last",
            }
        )


class CaseSearchForm(Form):
    q = forms.CharField(
        label=_("Number or words"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


# --- the console: steps of a case ---------------------------------------------------------------------------------


class DispatchForm(Form):
    category_code = _choice(pgettext_lazy("case", "Category"), required=True)
    lead_department_id = _unit(_("Lead unit"), required=True)
    co_department_ids = _co_units()
    note = forms.CharField(
        label=_("Note to the units"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmptyForm(Form):
    pass


class NoteForm(Form):
    text = _text(_("Progress note"), rows=3)


class CoReplyForm(Form):
    text = _text(_("Your unit's answer to the lead unit"), rows=4)


class ReturnForm(Form):
    reason = _text(_("Why this is not your unit's matter"), rows=3, max_length=2000)
    basis = forms.CharField(
        label=pgettext_lazy("case", "Basis"),
        max_length=300,
        required=False,
        help_text=_("The law, the unit's 三定 or its list of responsibilities that says so."),
    )
    suggested_department_id = _unit(_("The unit it belongs to, in your view"))


class ReviewReturnForm(Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("case", "Decision"),
        choices=[("reassign", _("Accept: reassign (改派)")), ("refuse", _("Refuse the return (驳回)"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to reassign or refuse.")},
    )
    reassign_to_id = _unit(_("New lead unit"), help_text=_("When reassigning."))
    co_department_ids = _co_units()
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        help_text=_("Required when refusing: the unit reads why."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtensionForm(Form):
    days = forms.IntegerField(label=_("Working days more"), min_value=1, max_value=30)
    reason = _text(_("Reason"), rows=3, max_length=2000)


class DecideExtensionForm(Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("case", "Decision"),
        choices=[("approve", _("Approve the extension")), ("refuse", _("Refuse the extension"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve or refuse.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        help_text=_("Required when refusing."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConcludeForm(Form):
    reply = _text(
        _("Reply to the reporter"), rows=5, help_text=_("What was done, and the result: the reporter reads it.")
    )


class ConcludeDirectlyForm(Form):
    reply = _text(
        _("Answer given"),
        rows=4,
        required=False,
        help_text=_("Empty: the chosen knowledge base article's answer."),
    )
    article_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FollowUpForm(Form):
    resolved = forms.TypedChoiceField(
        label=_("Was the matter resolved?"),
        choices=[("yes", _("Resolved")), ("no", _("Not resolved"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the matter was resolved.")},
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied is the reporter?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied the reporter is.")},
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(Form):
    into = forms.CharField(
        label=_("Main case number"),
        max_length=20,
        help_text=_("This case joins it: handled once, every reporter gets its answer."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class EscalateForm(Form):
    reason = _text(_("Why the case is escalated (督办)"), rows=3, max_length=2000)


class ResolveOnSpotForm(Form):
    reply = _text(_("What was done"), rows=3)
    upload = PhotoField(
        label=_("Photo of the result"), error_messages={"required": _("A photo of the result is required.")}
    )


# --- the grid worker's report -------------------------------------------------------------------------------------


class GridReportForm(Form):
    """网格员上报: the event, where, a photo; resolved on the spot (自处置) with a photo of the result."""

    category_code = _choice(pgettext_lazy("case", "Category"), required=True)
    content = _text(_("What you see"), rows=4, error_messages={"required": _("Describe the event.")})
    grid_cell_code = forms.ChoiceField(
        label=_("Your grid cell"), choices=(), error_messages={"required": _("Choose the grid cell.")}
    )
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    photo = PhotoField(label=_("Photo of the event"), required=False)
    resolved_on_spot = forms.BooleanField(
        label=_("I resolved it on the spot (自处置)"),
        required=False,
        help_text=_("A small matter you dealt with yourself: say what you did and add a photo of the result."),
    )
    reply = _text(_("What you did"), rows=3, required=False)
    upload = PhotoField(label=_("Photo of the result"), required=False)

    def set_choices(self) -> None:
        super().set_choices()
        self.fields["grid_cell_code"].choices = self.choices.cells  # type: ignore[attr-defined]
        if len(self.choices.cells) == 1 and not self.is_bound:
            self.initial.setdefault("grid_cell_code", self.choices.cells[0][0])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        if data.get("resolved_on_spot"):
            if not (data.get("reply") or "").strip():
                self.add_error("reply", _("Say what you did."))
            if not data.get("upload"):
                self.add_error("upload", _("A photo of the result is required."))
        return data


# --- the portal -------------------------------------------------------------------------------------------------


class PhoneForm(Form):
    phone = forms.CharField(
        label=_("Your mobile phone"),
        max_length=20,
        help_text=_("We send a six-digit code to it; the unit handling your request may call you on it."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Give your mobile phone number.")},
    )


class CodeForm(Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
        error_messages={"required": _("Type the six digits of the code.")},
    )


class PortalCaseForm(Form):
    """A citizen's request on the portal."""

    case_type = _case_type()
    content = _text(
        _("Your request"),
        rows=6,
        help_text=_("What happened, where and since when. Please do not write other people's personal details."),
        error_messages={"required": _("Write your request.")},
    )
    division_code = _choice(_("Community, street or district"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    hide_reporter = forms.BooleanField(
        label=_("Do not show my name and phone to the unit handling my request"), required=False
    )
    attachments = MultipleFileField(
        label=_("Photos or documents"), help_text=_("JPEG, PNG, WebP or PDF, at most 10 MB each, five at most.")
    )


class LookupForm(Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Give the case number.")},
    )
    phone = forms.CharField(
        label=_("Phone given when reporting"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Give the phone.")},
    )
