"""Requests carrying a NUL character are refused at the door, saying where the character was.

PostgreSQL cannot store U+0000 in text or jsonb: a NUL that reached a query or a log entry would end as a
database error (a 500, or worse an aborted transaction mid-way). SQLite stores it, so the two databases would
also disagree. Django's forms already refuse it in text fields; this refuses it everywhere else a caller can put
it: the path, the query string, headers, cookies, form fields and JSON bodies (keys and strings at any depth).
File contents are binary and are left alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

NUL = "\x00"
JSON_ESCAPED_NUL = b"\\u0000"
PROBLEM_PATHS = ("/api/", "/gateway/")
NUL_MESSAGE = gettext_noop("%(where)s contains a NUL character (U+0000), which is not accepted.")


def nul_location(request: HttpRequest) -> str | None:
    """Where the request carries a NUL character (for example `query.q` or `body.values.name`), or None."""
    if NUL in request.path:
        return "path"
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return f"query.{name.replace(NUL, '')}"
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            return "header." + key.removeprefix("HTTP_").replace("_", "-").title()
    for name, value in request.COOKIES.items():
        if NUL in name or NUL in value:
            return f"cookie.{name.replace(NUL, '')}"
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return None
    return _body_location(request)


def _body_location(request: HttpRequest) -> str | None:
    content_type = request.content_type or ""
    length = request.META.get("CONTENT_LENGTH") or "0"
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if not length.isdigit() or (limit is not None and int(length) > limit and "multipart/" not in content_type):
        return None  # the view refuses an oversized or malformed body in its own way
    try:
        if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            for name, values in request.POST.lists():
                if NUL in name or any(NUL in value for value in values):
                    return f"form.{name.replace(NUL, '')}"
            return None
        if content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            if JSON_ESCAPED_NUL not in body:  # the cheap test first: most bodies never get parsed here
                return None
            found = next(_nul_paths(json.loads(body)), None)
            return None if found is None else ".".join(["body", *found])
    except (ValueError, RequestDataTooBig):
        return None  # not parseable: the view answers with its own error
    return None


def _nul_paths(value: Any, at: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, str):
        if NUL in value:
            yield at
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield (*at, key.replace(NUL, ""))
            yield from _nul_paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*at, str(index)))


class RefuseNulCharactersMiddleware:
    """400 before any view runs: RFC 7807 JSON (with `code`, `field`, and the message in Chinese and English)
    for the API and the gateway, an interface's own error document where `YIWANG_NUL_REFUSALS` names a handler for
    its path prefix (a callable taking the request and the place), the error page for everything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        where = nul_location(request)
        if where is None:
            return self.get_response(request)
        for prefix, handler in getattr(settings, "YIWANG_NUL_REFUSALS", {}).items():
            if request.path.startswith(prefix):  # an interface with an error format of its own (Open311)
                response: HttpResponseBase = import_string(handler)(request, where)
                return response
        if not request.path.startswith(PROBLEM_PATHS):
            raise BadRequest(f"NUL character in {where}")
        return nul_problem(where)


def nul_problem(where: str) -> JsonResponse:
    message = NUL_MESSAGE
    with translation.override("zh-hans"):
        chinese = _(message) % {"where": where}
    with translation.override("en"):
        english = _(message) % {"where": where}
    body = {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "code": "nul_character",
        "detail": chinese,
        "detail_en": english,
        "field": where,
        "errors": [{"field": where, "message": chinese}],
    }
    return JsonResponse(
        body, status=400, content_type="application/problem+json", json_dumps_params={"ensure_ascii": False}
    )
