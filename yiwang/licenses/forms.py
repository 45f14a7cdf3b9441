"""Forms of the licenses pages: they parse input; the licenses' services and selectors decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import lazy_format
from yiwang.core.forms import AccessibleFormMixin
from yiwang.licenses.models import HolderKind, License
from yiwang.licenses.selectors import ShareLine, ShareOffer
from yiwang.licenses.services import ElementInput, LicenseTypeInput

LICENSE_FILE_MAX_BYTES = 1024 * 1024  # a license file is a few kilobytes


class IdentifierForm(AccessibleFormMixin, forms.Form):
    """A license identifier typed by hand (it is printed under the QR code)."""

    identifier = forms.CharField(
        label=_("License identifier"),
        max_length=200,
        help_text=_("As printed on the license, e.g. 1.2.156.3005.2.…"),
        error_messages={"required": _("Type the license identifier.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class LicenseFileForm(AccessibleFormMixin, forms.Form):
    """A license file (.json) to verify: the data and the seal's signature."""

    file = forms.FileField(
        label=_("License file"),
        help_text=_("The .json file downloaded with the license."),
        error_messages={"required": _("Choose the license file."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self) -> bytes:
        upload: Any = self.cleaned_data["file"]
        if upload.size > LICENSE_FILE_MAX_BYTES:
            raise forms.ValidationError(_("A license file is at most 1 MB: this is not one."))
        return bytes(upload.read())


class ShareForm(AccessibleFormMixin, forms.Form):
    """免提交: which of the holder's licenses answers a material, and the holder's explicit consent to its use."""

    material_id = forms.IntegerField(widget=forms.HiddenInput)
    identifier = forms.ChoiceField(
        label=_("Your e-license"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the license to use."),
            "invalid_choice": _("Choose one of your licenses listed here."),
        },
    )
    consent = forms.BooleanField(
        error_messages={"required": _("Tick the box to agree: without your consent nothing is shared.")},
    )

    def __init__(self, data: Any = None, *, line: ShareLine, offer: ShareOffer) -> None:
        self.for_material = line.material.material_id
        choices = [(license.identifier, _license_label(license)) for license in line.licenses]
        initial: dict[str, object] = {"material_id": self.for_material}
        if len(choices) == 1:
            initial["identifier"] = choices[0][0]
        super().__init__(data, initial=initial, auto_id=f"id_share-{self.for_material}-%s")
        self.fields["identifier"].choices = choices  # type: ignore[attr-defined]
        application = (
            lazy_format(_("application %(number)s"), {"number": offer.number})
            if offer.number
            else lazy_format(_("your draft application for %(item)s"), {"item": offer.item_name})
        )
        self.fields["consent"].label = lazy_format(  # type: ignore[assignment]
            _("I agree that %(department)s uses my %(license)s for %(application)s."),
            {"department": offer.department, "license": line.type_name, "application": application},
        )


def _license_label(license: License) -> str:
    if license.valid_until is None:
        return str(_("%(type)s %(identifier)s, without time limit")) % {
            "type": license.license_type.name,
            "identifier": license.identifier,
        }
    return str(_("%(type)s %(identifier)s, valid until %(date)s")) % {
        "type": license.license_type.name,
        "identifier": license.identifier,
        "date": license.valid_until.isoformat(),
    }


# --- the console -------------------------------------------------------------------------------------------------

YES = {"yes", "y", "true", "1", "required", "是", "必填"}
NO = {"", "no", "n", "false", "0", "optional", "否", "选填"}


class LicenseTypeForm(AccessibleFormMixin, forms.Form):
    """A license type: its code (never changed once saved), name, issuing department, holder, data elements (one
    per line), validity and seal."""

    code = forms.CharField(
        label=_("Type code"),
        max_length=21,
        help_text=_("21 characters: the defining body's credit code and three digits (GB/T 36904)."),
        error_messages={"required": _("Give the type code.")},
    )
    name = forms.CharField(label=_("Name"), max_length=100, error_messages={"required": _("Give the name.")})
    department = forms.TypedChoiceField(
        label=_("Issuing department"), coerce=int, error_messages={"required": _("Choose the department.")}
    )
    holder_kind = forms.ChoiceField(
        label=_("Issued to"), choices=HolderKind.choices, error_messages={"required": _("Choose the holder.")}
    )
    elements = forms.CharField(
        label=_("Data elements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "One element per line: code, name, required (yes or no), separated by commas, e.g. "
            "scope,经营范围,yes. The code has letters, digits or '_'; an application's answer with the same name "
            "fills it."
        ),
    )
    validity_years = forms.IntegerField(
        label=_("Valid for (years)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Leave empty for a license without time limit."),
    )
    seal = forms.TypedChoiceField(label=_("Seal"), coerce=int, empty_value=None, required=False)
    active = forms.BooleanField(label=_("Issued now"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[int, str]],
        seals: list[tuple[int, str]],
        code_fixed: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Choose…")), *departments]  # type: ignore[attr-defined]
        self.fields["seal"].choices = [  # type: ignore[attr-defined]
            ("", _("The department's seal in use (its official seal first)")),
            *seals,
        ]
        if code_fixed:
            self.fields["code"].disabled = True
        self.element_lines: list[int] = []  # the line number of each parsed element, for errors

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()

    def clean_elements(self) -> list[ElementInput]:
        elements: list[ElementInput] = []
        self.element_lines = []
        for number, line in enumerate(str(self.cleaned_data.get("elements") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.replace("，", ",").split(",")]
            if len(parts) == 2:
                parts.append("")
            if len(parts) != 3 or parts[2].lower() not in YES | NO:
                raise forms.ValidationError(
                    _("Line %(line)s: write code, name and yes or no, separated by commas.") % {"line": number}
                )
            elements.append(ElementInput(code=parts[0], name=parts[1], required=parts[2].lower() in YES))
            self.element_lines.append(number)
        return elements

    def service_error(self, field: str | None, message: str) -> None:
        """Show a service's error at its field: `department_id` at the department, `elements.2.code` at the
        elements with the line it is about."""
        if field == "department_id":
            self.add_error("department", message)
        elif field and field.startswith("elements."):
            index = field.split(".")[1]
            line = (
                self.element_lines[int(index)]
                if index.isdigit() and int(index) < len(self.element_lines)
                else int(index) + 1
            )
            self.add_error("elements", str(_("Line %(line)s: %(message)s")) % {"line": line, "message": message})
        elif field in self.fields:
            self.add_error(field, message)
        else:
            self.add_error(None, message)

    def type_input(self) -> LicenseTypeInput:
        data = self.cleaned_data
        return LicenseTypeInput(
            code=data["code"],
            name=data["name"],
            department_id=data["department"],
            holder_kind=data["holder_kind"],
            elements=tuple(data["elements"]),
            validity_years=data["validity_years"],
            seal_pk=data["seal"],
            active=data["active"],
        )


def elements_text(elements: list[dict[str, Any]]) -> str:
    """A type's elements as the form's lines."""
    return "\n".join(f"{item['code']},{item['name']},{'yes' if item.get('required') else 'no'}" for item in elements)


class SealForm(AccessibleFormMixin, forms.Form):
    """A new seal for a department (platform administrators)."""

    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, error_messages={"required": _("Choose the department.")}
    )
    purpose = forms.CharField(
        label=_("Special purpose"),
        max_length=20,
        required=False,
        help_text=_("E.g. 行政审批专用章; leave empty for the department's official seal."),
    )
    valid_years = forms.IntegerField(
        label=_("Valid for (years)"),
        min_value=1,
        max_value=10,
        initial=5,
        error_messages={"required": _("Give how many years the seal is valid.")},
    )

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Choose…")), *departments]  # type: ignore[attr-defined]

    def service_error(self, field: str | None, message: str) -> None:
        target = {"department_id": "department", "purpose": "purpose", "valid_years": "valid_years"}.get(field or "")
        self.add_error(target, message)


class SealStatusForm(AccessibleFormMixin, forms.Form):
    """Suspend, reinstate or revoke a seal, with the reason (platform administrators)."""

    prefix = "status"

    action = forms.ChoiceField(
        label=_("Change"),
        widget=forms.RadioSelect,
        choices=[
            ("suspend", _("Suspend: licenses it signs from now on are not trusted")),
            ("reinstate", _("Reinstate a suspended seal")),
            ("revoke", _("Revoke for good: nothing it ever signed is trusted")),
        ],
        error_messages={"required": _("Choose the change.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Give the reason.")},
    )


class RevokeForm(AccessibleFormMixin, forms.Form):
    """Revoke an issued license, with the reason."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": _("Give the reason.")},
    )
