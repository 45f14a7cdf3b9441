"""Open311 documents in XML (required by the spec) and JSON (the Spark convention's mapping of the same tree).

A document is a dict (discovery, a service definition) or a list of dicts (services, requests, errors). Lists
inside are wrapped in their plural element, each item in the singular (`<attributes><attribute>…`), as the spec's
examples show; in JSON they are plain arrays. None is an empty element in XML and null in JSON.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse
from django.utils import timezone

XML = "xml"
JSON = "json"
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
MEDIA_TYPES = ("text/xml", "application/json")  # as discovery advertises them
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# The element of one item of each list, by the list's element (or the document's root).
ITEM_ELEMENTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline, return; lone surrogates; U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Document = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def w3c_datetime(moment: datetime.datetime | None) -> str | None:
    """A time as the spec wants it: W3C ISO 8601 in the platform's time zone, with its offset (`+08:00`)."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def render(document: Document, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """The HTTP response carrying `document` in `fmt`; `root` names the XML root element (ignored in JSON)."""
    if fmt == JSON:
        body = json.dumps(document, ensure_ascii=False, default=_json_value)
    else:
        body = XML_DECLARATION + tostring(_element(root, document), encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(errors: Sequence[tuple[int, str]], *, fmt: str, status: int) -> HttpResponse:
    """The spec's error document: `errors/error{code, description}`, with the HTTP status."""
    document = [{"code": code, "description": description} for code, description in errors]
    return render(document, fmt=fmt, root="errors", status=status)


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not serialisable in an Open311 document")


def _element(name: str, value: Any) -> Element:
    element = Element(name)
    _fill(element, value)
    return element


def _fill(element: Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        item_name = ITEM_ELEMENTS[element.tag]
        for item in value:
            _fill(SubElement(element, item_name), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _NOT_XML.sub("", str(value))
