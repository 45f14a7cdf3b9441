"""Showing service errors on Django forms, next to the field they are about."""

from __future__ import annotations

from django import forms

from yiwang.core.errors import YiwangError


def add_service_error(form: forms.BaseForm, error: YiwangError) -> None:
    """Attach a service's error to its field, or to the whole form when the field is not on it."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


class AccessibleFormMixin:
    """Marks invalid fields with aria-invalid and links them to their hints and errors, by the field's `auto_id`
    (not `id_for_label`, which Django leaves empty for a group of radio buttons or checkboxes)."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.mark_errors()

    def mark_errors(self) -> None:
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name, field in form.fields.items():
            bound = form[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_hint")
            if name in form.errors:
                described.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            else:
                field.widget.attrs.pop("aria-describedby", None)
            if name not in form.errors:
                field.widget.attrs.pop("aria-invalid", None)

    def add_error(self, field: str | None, error: object) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        self.mark_errors()
