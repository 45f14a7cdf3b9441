"""Forms of the applicant's pages beyond the application form: a file for a material, an extra document, a rating
(好差评). They parse input; yiwang/services/applications/materials.py and yiwang/services/ratings.py decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin
from yiwang.services.models import RatingLevel
from yiwang.services.models.ratings import COMMENT_LIMIT, ONLINE_INDICATORS

NAME_LIMIT = 200
INDICATOR_PREFIX = "indicator_"


class MaterialFileForm(AccessibleFormMixin, forms.Form):
    """A file for one material the item asks for; a new file replaces the current one."""

    file = forms.FileField(label=_("File"), help_text=_("PDF, OFD, JPEG or PNG."))

    def __init__(self, *args: Any, material_name: str, documents: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = gettext("File for %(material)s") % {"material": material_name}
        if documents:
            self.fields["file"].help_text = _("PDF, OFD, JPEG, PNG, Word (.docx) or Excel (.xlsx).")


class OtherDocumentForm(AccessibleFormMixin, forms.Form):
    """A document the item does not ask for, named by the applicant."""

    name = forms.CharField(
        label=_("Name of the document"),
        max_length=NAME_LIMIT,
        help_text=_("For example 消防平面图."),
    )
    file = forms.FileField(label=_("File of the document"), help_text=_("PDF, OFD, JPEG or PNG."))


def _level_field(label: Any, *, required: bool) -> forms.TypedChoiceField:
    if required:
        return forms.TypedChoiceField(
            label=label, choices=RatingLevel.choices, coerce=int, widget=forms.RadioSelect, required=True
        )
    return forms.TypedChoiceField(
        label=label,
        choices=[("", _("Not scored")), *RatingLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


class RatingForm(AccessibleFormMixin, forms.Form):
    """A rating of one service event online: the level, a score per indicator of online service, a comment."""

    level = _level_field(_("How satisfied are you?"), required=True)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        comment.help_text = ngettext(
            "Optional, at most %(limit)s character.", "Optional, at most %(limit)s characters.", COMMENT_LIMIT
        ) % {"limit": COMMENT_LIMIT}
        for code, name in ONLINE_INDICATORS.items():
            self.fields[f"{INDICATOR_PREFIX}{code}"] = _level_field(name, required=False)
        self.fields["comment"] = comment

    def indicator_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(INDICATOR_PREFIX)]

    def indicators(self) -> dict[str, int]:
        """The indicators scored (call after is_valid)."""
        scores = {name.removeprefix(INDICATOR_PREFIX): value for name, value in self.cleaned_data.items()}
        return {code: value for code, value in scores.items() if code in ONLINE_INDICATORS and value is not None}
