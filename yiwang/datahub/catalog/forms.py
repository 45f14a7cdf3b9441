"""Forms of the catalog pages: the shape of the input and where errors show; catalog.services holds the rules.

The elements editor is a plain Django formset (one row form per data element, an empty row to add one), so it
works without JavaScript. A few of the services' element rules are repeated on the rows only so that their
errors appear next to the row they are about; the services check them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin
from yiwang.datahub.catalog.schema import ElementSpec, header_token
from yiwang.datahub.catalog.services import ResourceFields
from yiwang.datahub.models import ElementType, Openness, SharingMethod, SharingType, UpdateCycle

# Lists typed into one box or one cell: 、 is how Chinese documents separate items; commas and semicolons too.
LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
ELEMENT_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# Keys of an element's rules that the editor shows; any others (a reference to another registry) are kept.
EDITED_RULES = ("pattern", "minimum", "maximum")


def split_list(text: str) -> list[str]:
    """The items of a list typed as text, in order, without blanks or repeats."""
    return list(dict.fromkeys(part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()))


def slug_from_code(code: str) -> str:
    """The slug a resource gets when none is given: its code in lower case, other characters as hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", code.strip().lower()).strip("-")


class ResourceForm(AccessibleFormMixin, forms.Form):
    """The metadata of a catalog entry (GB/T 21063 core metadata and the 2017 catalog guide)."""

    code = forms.CharField(
        label=_("Resource code"),
        max_length=64,
        help_text=_("Classification code followed by a sequence number, for example 2-03-002."),
    )
    name = forms.CharField(label=_("Resource name"), max_length=200)
    slug = forms.CharField(
        label=_("Identifier in addresses and files (slug)"),
        max_length=64,
        required=False,
        help_text=_("Lower-case letters, digits and hyphens. Left empty, it is made from the resource code."),
    )
    category_class = forms.CharField(label=_("Category: class (类)"), max_length=40, required=False)
    category_item = forms.CharField(label=_("Category: item (项)"), max_length=40, required=False)
    category_catalog = forms.CharField(label=_("Category: heading (目)"), max_length=40, required=False)
    category_detail = forms.CharField(label=_("Category: subheading (细目)"), max_length=80, required=False)
    source_department = forms.TypedChoiceField(label=_("Source department"), coerce=int)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    format = forms.CharField(
        label=_("Format"),
        max_length=60,
        required=False,
        help_text=_("How the data is kept, for example 数据库, 电子表格 or 文件."),
    )
    sharing_type = forms.ChoiceField(label=_("Sharing type"), choices=SharingType.choices)
    sharing_condition = forms.CharField(
        label=_("Sharing condition"),
        required=False,
        max_length=4000,
        help_text=_("Required for conditional sharing; for a resource that is not shared, its legal basis."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sharing_methods = forms.MultipleChoiceField(
        label=_("Sharing methods"),
        choices=SharingMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    openness = forms.ChoiceField(label=_("Openness"), choices=Openness.choices)
    openness_condition = forms.CharField(
        label=_("Openness condition"),
        required=False,
        max_length=4000,
        help_text=_("Required when the resource is open with conditions."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    update_cycle = forms.ChoiceField(label=_("Update cycle"), choices=UpdateCycle.choices)
    release_date = forms.DateField(
        label=_("Release date"),
        required=False,
        help_text=_("Left empty, it is the day the resource is first published."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    related_codes = forms.CharField(
        label=_("Related resources"),
        required=False,
        max_length=2000,
        help_text=_("Codes of related resources, separated by commas or 、."),
    )
    lenient_identifiers = forms.BooleanField(
        label=_("Accept ID numbers and credit codes that real registries hold but today's rules reject"),
        required=False,
    )

    def __init__(
        self, *args: Any, departments: Sequence[tuple[int, str]], builtin: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = list(departments)
        if len(choices) != 1:
            choices.insert(0, ("", _("Choose a department")))
        self.fields["source_department"].choices = choices  # type: ignore[attr-defined]
        if builtin:
            # A built-in registry keeps its slug and code: departments' files and other apps rely on them.
            for name in ("code", "slug"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("A built-in registry keeps its code and slug.")
        if not self.is_bound:
            self.mark_errors()  # links the hints to their fields before any validation

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("slug") and data.get("code"):
            data["slug"] = slug_from_code(data["code"])
        return data

    def resource_fields(self) -> ResourceFields:
        """The cleaned form as the services take it."""
        data = self.cleaned_data
        return ResourceFields(
            slug=data["slug"],
            code=data["code"],
            name=data["name"],
            source_department_id=data["source_department"],
            sharing_type=data["sharing_type"],
            openness=data["openness"],
            update_cycle=data["update_cycle"],
            summary=data["summary"],
            format=data["format"],
            category_class=data["category_class"],
            category_item=data["category_item"],
            category_catalog=data["category_catalog"],
            category_detail=data["category_detail"],
            sharing_condition=data["sharing_condition"],
            sharing_methods=list(data["sharing_methods"]),
            openness_condition=data["openness_condition"],
            release_date=data["release_date"],
            lenient_identifiers=data["lenient_identifiers"],
            related_codes=split_list(data["related_codes"]),
        )


def planned_snapshot(fields: ResourceFields, elements: Sequence[ElementSpec]) -> dict[str, Any]:
    """The snapshot a resource would have with these fields and elements (as services.resource_snapshot)."""
    return {
        "slug": fields.slug,
        "code": fields.code,
        "name": fields.name,
        "source_department_id": fields.source_department_id,
        "summary": fields.summary,
        "format": fields.format,
        "category": [fields.category_class, fields.category_item, fields.category_catalog, fields.category_detail],
        "sharing_type": fields.sharing_type,
        "sharing_condition": fields.sharing_condition,
        "sharing_methods": list(dict.fromkeys(fields.sharing_methods)),
        "openness": fields.openness,
        "openness_condition": fields.openness_condition,
        "update_cycle": fields.update_cycle,
        "release_date": fields.release_date.isoformat() if fields.release_date else None,
        "lenient_identifiers": fields.lenient_identifiers,
        "related": sorted(fields.related_codes),
        "elements": [element.to_json() for element in elements],
    }


def resource_initial(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The form's initial values from a resource's snapshot (catalog.services.resource_snapshot)."""
    category = list(snapshot.get("category") or ["", "", "", ""])
    return {
        "code": snapshot["code"],
        "name": snapshot["name"],
        "slug": snapshot["slug"],
        "category_class": category[0],
        "category_item": category[1],
        "category_catalog": category[2],
        "category_detail": category[3],
        "source_department": snapshot.get("source_department_id"),
        "summary": snapshot.get("summary", ""),
        "format": snapshot.get("format", ""),
        "sharing_type": snapshot["sharing_type"],
        "sharing_condition": snapshot.get("sharing_condition", ""),
        "sharing_methods": list(snapshot.get("sharing_methods") or []),
        "openness": snapshot["openness"],
        "openness_condition": snapshot.get("openness_condition", ""),
        "update_cycle": snapshot["update_cycle"],
        "release_date": snapshot.get("release_date") or None,
        "related_codes": "、".join(snapshot.get("related") or []),
        "lenient_identifiers": bool(snapshot.get("lenient_identifiers")),
    }


def _number_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    return str(int(number)) if number == number.to_integral_value() else str(number)


class ElementRowForm(AccessibleFormMixin, forms.Form):
    """One row of the elements editor: one data element (信息项). A row without code and name is ignored."""

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        required=False,
        validators=[
            RegexValidator(
                ELEMENT_CODE, _("A code starts with a letter and has only letters, digits and _ (at most 64).")
            )
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    data_type = forms.ChoiceField(label=_("Type"), choices=ElementType.choices, initial=ElementType.STRING)
    length = forms.IntegerField(label=_("Length"), min_value=1, max_value=1_000_000, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    is_key = forms.BooleanField(label=_("Key"), required=False)
    sensitive = forms.BooleanField(label=_("Sensitive"), required=False)
    lookup = forms.BooleanField(label=_("Looked up"), required=False)
    concept = forms.CharField(label=_("Concept"), max_length=40, required=False)
    enumeration = forms.CharField(label=_("Code list"), max_length=20000, required=False)
    pattern = forms.CharField(label=_("Pattern"), max_length=500, required=False)
    minimum = forms.DecimalField(label=_("Minimum"), required=False)
    maximum = forms.DecimalField(label=_("Maximum"), required=False)

    def is_blank(self) -> bool:
        """Nothing typed in the row (a type chosen alone does not count): the row is ignored."""
        data = getattr(self, "cleaned_data", {})
        filled = [data.get(name) for name in ("code", "name", "length", "concept", "enumeration", "pattern")]
        flags = [data.get(name) for name in ("required", "is_key", "sensitive", "lookup")]
        numbers = [data.get(name) is not None for name in ("minimum", "maximum")]
        return not any(filled) and not any(flags) and not any(numbers) and not self.errors

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not data.get("code") and "code" not in self.errors:
            self.add_error("code", _("Give the element a code."))
        if not data.get("name") and "name" not in self.errors:
            self.add_error("name", _("Give the element a name."))
        if data.get("data_type") == ElementType.ENUM and not split_list(data.get("enumeration") or ""):
            self.add_error("enumeration", _("A code list needs its values, separated by commas or 、."))
        if data.get("is_key") and not data.get("required"):
            self.add_error("required", _("A key element must be required."))
        pattern = data.get("pattern") or ""
        if pattern:
            try:
                re.compile(pattern)
            except re.error:
                self.add_error("pattern", _("This is not a valid regular expression."))
        minimum, maximum = data.get("minimum"), data.get("maximum")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("maximum", _("The maximum is smaller than the minimum."))
        return data

    def element_spec(self, kept_rules: Mapping[str, Any]) -> ElementSpec:
        """The row as the services take it; `kept_rules` are the rules of the element the editor does not show."""
        data = self.cleaned_data
        rules: dict[str, Any] = {key: value for key, value in kept_rules.items() if key not in EDITED_RULES}
        if data["pattern"]:
            rules["pattern"] = data["pattern"]
        for key in ("minimum", "maximum"):
            if data[key] is not None:
                number = data[key]
                rules[key] = int(number) if number == number.to_integral_value() else float(number)
        return ElementSpec(
            code=data["code"],
            name=data["name"].strip(),
            data_type=data["data_type"],
            length=data["length"],
            required=data["required"],
            enumeration=tuple(split_list(data["enumeration"])),
            sensitive=data["sensitive"],
            is_key=data["is_key"],
            lookup=data["lookup"],
            concept=data["concept"].strip(),
            rules=rules,
        )


def element_initial(element: Mapping[str, Any]) -> dict[str, Any]:
    """A row's initial values from an element of a snapshot."""
    rules = element.get("rules") or {}
    return {
        "code": element["code"],
        "name": element["name"],
        "data_type": element["data_type"],
        "length": element.get("length"),
        "required": bool(element.get("required")),
        "is_key": bool(element.get("is_key")),
        "sensitive": bool(element.get("sensitive")),
        "lookup": bool(element.get("lookup")),
        "concept": element.get("concept", ""),
        "enumeration": "、".join(element.get("enumeration") or []),
        "pattern": rules.get("pattern", ""),
        "minimum": _number_text(rules.get("minimum")),
        "maximum": _number_text(rules.get("maximum")),
    }


class BaseElementFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The rows together: no code or name twice, at least one element, at least one key."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def kept_rows(self) -> list[ElementRowForm]:
        """The rows that hold an element: not removed, not empty."""
        return [
            form
            for form in self.forms
            if isinstance(form, ElementRowForm)
            and form.is_valid()
            and not form.cleaned_data.get("DELETE")
            and not form.is_blank()
        ]

    def clean(self) -> None:
        super().clean()
        codes: dict[str, int] = {}
        names: dict[str, int] = {}
        rows = self.kept_rows()
        for number, form in enumerate(self.forms, start=1):
            if form not in rows:
                continue
            code = form.cleaned_data["code"].lower()
            name = header_token(form.cleaned_data["name"])
            if code in codes:
                form.add_error("code", _("Row %(row)d has this code already.") % {"row": codes[code]})
            codes.setdefault(code, number)
            if name in names:
                form.add_error("name", _("Row %(row)d has this name already.") % {"row": names[name]})
            names.setdefault(name, number)
        if any(self.errors):
            return  # the rows with errors may hold the key
        if not rows:
            raise forms.ValidationError(_("A resource needs at least one data element."))
        if not any(form.cleaned_data["is_key"] for form in rows):
            raise forms.ValidationError(_("Mark the element(s) that identify a record as the key."))

    def element_specs(self, kept_rules: Mapping[str, Mapping[str, Any]]) -> list[ElementSpec]:
        """The elements in their order; `kept_rules` maps a code to the rules of the element it replaces."""
        return [form.element_spec(kept_rules.get(form.cleaned_data["code"], {})) for form in self.kept_rows()]


ElementFormSet = forms.formset_factory(
    ElementRowForm,
    formset=BaseElementFormSet,
    extra=1,
    can_delete=True,
    max_num=500,
    validate_max=True,
    absolute_max=500,
)


def element_formset(
    data: Mapping[str, Any] | None = None, *, initial: Iterable[Mapping[str, Any]] = ()
) -> BaseElementFormSet:
    """The elements editor, bound to posted data or filled from `initial` rows (plus one empty row)."""
    if data is not None:
        return cast(BaseElementFormSet, ElementFormSet(data, prefix="elements"))
    return cast(BaseElementFormSet, ElementFormSet(initial=list(initial), prefix="elements"))


def rows_as_initial(formset: BaseElementFormSet) -> list[dict[str, Any]]:
    """The posted rows as initial values (without removed and empty ones), to show them again with a new row."""
    rows = []
    for form in formset.forms:
        if "DELETE" in form.fields and form["DELETE"].value():
            continue
        values = {name: form[name].value() for name in form.fields if name != "DELETE"}
        if not str(values.get("code") or "").strip() and not str(values.get("name") or "").strip():
            continue
        rows.append(values)
    return rows


def form_as_initial(form: forms.Form) -> dict[str, Any]:
    """A bound form's values as initial values of a fresh form (shown again without errors)."""
    return {name: form[name].value() for name in form.fields}


class ReturnForm(AccessibleFormMixin, forms.Form):
    """The platform administrator sends a submitted entry back, saying why."""

    note = forms.CharField(
        label=_("What needs to change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The source department sees this note on the entry."),
    )


class AuthorityForm(AccessibleFormMixin, forms.Form):
    """一数一源: the department whose values of one element win."""

    element = forms.CharField(widget=forms.HiddenInput, max_length=64)
    department = forms.TypedChoiceField(label=_("Authoritative source"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, departments: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("None assigned")), *departments]
        self.fields["department"].choices = choices  # type: ignore[attr-defined]


# Big enough for any city's whole catalog; the file is read into memory to check it before anything is written.
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024


class ImportForm(AccessibleFormMixin, forms.Form):
    """Upload of a catalog workbook (sheets 信息资源 and 信息项)."""

    workbook = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_(
            "Sheet 信息资源 with one row per resource and sheet 信息项 with one row per data element, as the "
            "exported catalog has them. Nothing is changed until you confirm the preview."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_workbook(self) -> Any:
        upload = self.cleaned_data["workbook"]
        if upload.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": MAX_WORKBOOK_BYTES // (1024 * 1024)}
            )
        return upload
