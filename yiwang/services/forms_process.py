"""The form of the console's process pages: a BPMN file, read as text. Whether the platform can run it is for
`process_problems` to say, and whether it may be saved for `item_process_set`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin
from yiwang.services.workflow.engine import MAX_BYTES


class ProcessUploadForm(AccessibleFormMixin, forms.Form):
    """A .bpmn file saved by any BPMN 2.0 modeller; `cleaned_data["file"]` is its text."""

    file = forms.FileField(
        label=_("BPMN file"),
        help_text=_("A .bpmn file of at most 1 MB, saved by a BPMN 2.0 modeller (Camunda, Flowable, bpmn.io)."),
        widget=forms.FileInput(attrs={"accept": ".bpmn,.xml,application/xml,text/xml"}),
        error_messages={
            "required": _("Choose a BPMN file."),
            "empty": _("The file is empty: choose a BPMN file."),
        },
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("A BPMN file is at most 1 MB."), code="too_large")
        try:
            return bytes(upload.read(MAX_BYTES + 1)).decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("A BPMN file is UTF-8 encoded XML."), code="encoding") from None
