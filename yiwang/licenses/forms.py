"""Forms of the licenses pages: they parse input; the licenses' services and selectors decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin

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
