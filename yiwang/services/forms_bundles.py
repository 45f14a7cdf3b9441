"""Forms of the bundle pages (一件事一次办): they parse input; the bundles' services decide. The merged form itself is
`ApplicationAnswersForm` built from the bundle's merged JSON Schema, as for a single item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import lazy_format
from yiwang.core.forms import AccessibleFormMixin


class BundleMaterialForm(AccessibleFormMixin, forms.Form):
    """One file for a material of the merged list, chosen by name: every item asking for it receives it."""

    prefix = "material"

    material_name = forms.ChoiceField(
        label=_("Material"),
        error_messages={"required": _("Choose the material you upload."), "invalid_choice": _("Choose a material.")},
    )
    file = forms.FileField(
        label=_("File"),
        error_messages={"required": _("Choose a file to upload."), "empty": _("The file is empty.")},
    )

    def __init__(self, *args: Any, materials: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material_name"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose…")),
            *[(name, name) for name in materials],
        ]
        self.fields["file"].help_text = lazy_format(  # type: ignore[assignment]
            _("PDF, OFD, JPEG or PNG (Word or Excel for a material given electronically), at most %(limit)s."),
            {"limit": filesizeformat(settings.YIWANG_UPLOAD_MAX_BYTES)},
        )
