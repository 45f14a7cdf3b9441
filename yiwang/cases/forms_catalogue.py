"""Forms of the catalogue's pages: they parse input; the catalogue's services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.cases.catalogue_excel import MAX_BYTES
from yiwang.cases.models import CaseType, LeadKind
from yiwang.core.forms import AccessibleFormMixin

Options = Sequence[tuple[Any, Any]]


class CatalogueFilterForm(forms.Form):
    """Which entries of the catalogue to list (a GET form: every field may be empty)."""

    category = forms.ChoiceField(label=pgettext_lazy("cases", "Category"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, empty_value=None, required=False)

    def __init__(self, data: Any = None, *, categories: Options, places: Options, units: Options) -> None:
        super().__init__(data)
        self.fields["category"].choices = [("", _("Every category")), *categories]  # type: ignore[attr-defined]
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            ("", _("Every area")),
            ("city", _("The whole city only")),
            *places,
        ]
        self.fields["unit"].choices = [("", _("Every unit")), *units]  # type: ignore[attr-defined]


class DispatchRuleForm(AccessibleFormMixin, forms.Form):
    """An entry of the dispatch catalogue: a category in an area → who leads, who assists, and why."""

    category_code = forms.ChoiceField(
        label=pgettext_lazy("cases", "Category"),
        help_text=_("A heading covers its subcategories that have no entry of their own."),
        error_messages={"required": _("Choose the category.")},
    )
    division_code = forms.ChoiceField(
        label=_("Area"),
        required=False,
        help_text=_("Empty: the whole city. A district or street covers the places inside it."),
    )
    lead_kind = forms.ChoiceField(
        label=_("Who leads"),
        choices=LeadKind.choices,
        initial=LeadKind.DEPARTMENT,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who leads.")},
    )
    lead_department = forms.TypedChoiceField(
        label=_("Lead unit"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only when the named unit leads; leave empty when the place's street or district leads (属地)."),
    )
    co_departments = forms.TypedMultipleChoiceField(
        label=_("Co-units"),
        coerce=int,
        required=False,
        help_text=_("Units that assist (协办). Select several with Ctrl or Shift."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    basis = forms.CharField(
        label=pgettext_lazy("cases", "Basis"),
        required=False,
        max_length=300,
        help_text=_("The item of the lead's responsibility list (三定, 权责清单, 履职事项清单)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    # The services' field names → this form's.
    RENAMED = {"lead_department_id": "lead_department", "co_department_ids": "co_departments"}

    def __init__(
        self, data: Any = None, *, categories: Options, places: Options, units: Options, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["category_code"].choices = [("", _("Choose…")), *categories]  # type: ignore[attr-defined]
        self.fields["division_code"].choices = [("", _("The whole city")), *places]  # type: ignore[attr-defined]
        self.fields["lead_department"].choices = [("", _("None")), *units]  # type: ignore[attr-defined]
        self.fields["co_departments"].choices = list(units)  # type: ignore[attr-defined]

    def rule_values(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "category_code": data["category_code"],
            "division_code": data["division_code"] or None,
            "lead_kind": data["lead_kind"],
            "lead_department_id": data["lead_department"],
            "co_department_ids": list(data["co_departments"]),
            "basis": data["basis"],
        }


class CatalogueImportForm(AccessibleFormMixin, forms.Form):
    """The catalogue as an Excel workbook."""

    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("Sheet 派单目录 with the columns of the exported workbook; at most 5 MB."),
        error_messages={"required": _("Choose the workbook."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self) -> bytes:
        upload: Any = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The workbook is larger than 5 MB."))
        return bytes(upload.read())


class CategoryForm(AccessibleFormMixin, forms.Form):
    """A class of the taxonomy."""

    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("Two digits per level: 01 for a heading, 0103 under it. The code never changes."),
        error_messages={"required": _("Give the code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=pgettext_lazy("cases", "Name"), max_length=60, error_messages={"required": _("Give the name.")}
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=4000,
        help_text=_("Words callers use for it, one per line: the router reads them."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, data: Any = None, *, fixed_code: bool = False, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        if fixed_code:
            self.fields["code"].disabled = True


class ResponsibilityForm(AccessibleFormMixin, forms.Form):
    """A unit's responsibility list, one matter per line."""

    matters = forms.CharField(
        label=_("Matters"),
        required=False,
        max_length=50_000,
        help_text=_("One matter per line, as the unit's list words it. Removing a line removes the matter."),
        widget=forms.Textarea(attrs={"rows": 14}),
    )

    def titles(self) -> list[str]:
        return str(self.cleaned_data["matters"]).splitlines()


class TimeLimitForm(AccessibleFormMixin, forms.Form):
    """A row of the time-limit table: a type and category (either empty: any) and the working days."""

    case_type = forms.ChoiceField(
        label=pgettext_lazy("cases", "Type"), required=False, choices=[("", _("Any type")), *CaseType.choices]
    )
    category_code = forms.ChoiceField(
        label=pgettext_lazy("cases", "Category"), required=False, help_text=_("A heading covers its subcategories.")
    )
    sign_days = forms.IntegerField(label=_("Sign within (working days)"), min_value=0, max_value=1000, initial=1)
    handle_days = forms.IntegerField(label=_("Conclude within (working days)"), min_value=0, max_value=1000)
    warning_days = forms.IntegerField(
        label=_("Warn this many working days before"), min_value=0, max_value=1000, initial=1
    )

    def __init__(self, data: Any = None, *, categories: Options, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["category_code"].choices = [("", _("Any category")), *categories]  # type: ignore[attr-defined]


class GridFilterForm(forms.Form):
    """Which cells to list: those of a district, street or community."""

    area = forms.ChoiceField(label=_("Street or community"), required=False)

    def __init__(self, data: Any = None, *, places: Options) -> None:
        super().__init__(data)
        self.fields["area"].choices = [("", _("The whole city")), *places]  # type: ignore[attr-defined]


class GridCellForm(AccessibleFormMixin, forms.Form):
    """A grid cell of a community."""

    code = forms.CharField(
        label=_("Code"),
        max_length=14,
        help_text=_("The community's 12-digit code and two digits, e.g. 41980200100101. The code never changes."),
        error_messages={"required": _("Give the code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=pgettext_lazy("cases", "Name"), max_length=100, error_messages={"required": _("Give the name.")}
    )
    description = forms.CharField(
        label=_("Boundaries"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Any = None, *, fixed_code: bool = False, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        if fixed_code:
            self.fields["code"].disabled = True


class GridWorkersForm(AccessibleFormMixin, forms.Form):
    """The grid workers who walk a cell."""

    workers = forms.TypedMultipleChoiceField(
        label=_("Grid workers"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff with the grid worker role in the cell's district."),
    )

    def __init__(self, data: Any = None, *, candidates: Options, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["workers"].choices = list(candidates)  # type: ignore[attr-defined]
