"""Application forms as JSON Schema: checking a schema an item declares, and checking answers against it.

An item's form is a JSON Schema object: `properties` (each with a `title` shown to the applicant), `required`.
Answers are checked on the server with the `jsonschema` library (ADR 0017); its errors are turned into messages
in the applicant's language that name the field by its title.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from yiwang.core.errors import ValidationFailed, lazy_format
from yiwang.datahub.registries import BUILTIN_REGISTRIES, LEGAL_ENTITIES, POPULATION

# `x-registry` (ADR 0017; applications/prefill.py): the registries whose records are the applicant's own.
PREFILL_REGISTRIES = {
    registry.slug: {element.code for element in registry.elements}
    for registry in BUILTIN_REGISTRIES
    if registry.slug in {POPULATION, LEGAL_ENTITIES}
}


class FormInvalid(ValidationFailed):
    """Answers that break the form: every problem, as (field, message), the first one as the error's own."""

    def __init__(self, problems: list[tuple[str, Any]]) -> None:
        field, message = problems[0]
        super().__init__(message, field=field)
        self.problems = problems


def check_form_schema(schema: dict[str, Any]) -> None:
    """Raise ValidationFailed unless `schema` is a JSON Schema of an object whose properties have titles."""
    if not schema:
        return
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise ValidationFailed(
            lazy_format(_("The form is not valid JSON Schema: %(error)s"), {"error": error.message}),
            field="form_schema",
        ) from None
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise ValidationFailed(_("The form must be an object with properties."), field="form_schema")
    for name, definition in schema["properties"].items():
        if not isinstance(definition, dict) or not str(definition.get("title", "")).strip():
            raise ValidationFailed(
                lazy_format(_("Field %(name)s of the form needs a title."), {"name": name}), field="form_schema"
            )
    for name, definition in schema["properties"].items():
        reference = definition.get("x-registry")
        if reference is None:
            continue
        resource, _colon, element = str(reference).partition(":")
        if element not in PREFILL_REGISTRIES.get(resource, ()):
            raise ValidationFailed(
                lazy_format(
                    _(
                        "Field %(name)s: x-registry must name an element of population or legal-entities "
                        "(for example population:name), not %(reference)s."
                    ),
                    {"name": name, "reference": reference},
                ),
                field="form_schema",
            )
    missing = [name for name in schema.get("required", []) if name not in schema["properties"]]
    if missing:
        raise ValidationFailed(
            lazy_format(_("The form requires fields it does not define: %(names)s."), {"names": ", ".join(missing)}),
            field="form_schema",
        )


def _title(schema: dict[str, Any], path: list[Any]) -> tuple[str, str]:
    """The field's dotted path and the title shown for it."""
    field = ".".join(str(part) for part in path)
    node: Any = schema
    for part in path:
        if isinstance(part, str) and isinstance(node, dict):
            node = node.get("properties", {}).get(part, {})
        elif isinstance(node, dict):
            node = node.get("items", {})
    title = node.get("title") if isinstance(node, dict) else None
    return field, str(title or field)


def check_answers(schema: dict[str, Any], answers: dict[str, Any]) -> None:
    """Raise FormInvalid with every problem of `answers` against the form, in the order of the form's fields."""
    if not schema:
        return
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    order = {name: index for index, name in enumerate(schema.get("properties", {}))}
    problems: list[tuple[int, str, Any]] = []
    for error in validator.iter_errors(answers):
        path = list(error.absolute_path)
        if error.validator == "required":
            name = error.message.split("'")[1] if "'" in error.message else ""
            path = [*path, name]
        field, title = _title(schema, path)
        problems.append((order.get(str(path[0]) if path else "", len(order)), field, _message(error, title)))
    if problems:
        problems.sort(key=lambda problem: (problem[0], problem[1]))
        raise FormInvalid([(field, message) for _order, field, message in problems])


def _message(error: Any, title: str) -> Any:
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        return lazy_format(_("Fill in %(field)s."), {"field": title})
    if kind == "type":
        return lazy_format(_("%(field)s has the wrong kind of value."), {"field": title})
    if kind == "enum":
        return lazy_format(_("Choose %(field)s from the list."), {"field": title})
    if kind == "maxLength":
        return lazy_format(_("%(field)s: at most %(limit)s characters."), {"field": title, "limit": value})
    if kind == "minLength":
        return lazy_format(_("%(field)s: at least %(limit)s characters."), {"field": title, "limit": value})
    if kind in {"minimum", "exclusiveMinimum"}:
        return lazy_format(_("%(field)s is too small (at least %(limit)s)."), {"field": title, "limit": value})
    if kind in {"maximum", "exclusiveMaximum"}:
        return lazy_format(_("%(field)s is too large (at most %(limit)s)."), {"field": title, "limit": value})
    if kind == "format":
        return lazy_format(_("%(field)s is not a valid %(format)s."), {"field": title, "format": value})
    if kind == "additionalProperties":
        return _("The form has fields it does not ask for.")
    return lazy_format(_("%(field)s is not valid."), {"field": title})
