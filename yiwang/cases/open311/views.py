"""The Open311 GeoReport v2 endpoints: plain views, the format from the URL's suffix, errors as the spec has them.

Every answer, errors included, is an Open311 document: `[{"code", "description"}]` in JSON or
`<errors><error>…</error></errors>` in XML, with the HTTP status the spec names (404 unknown resource or
jurisdiction, 403 missing or wrong api_key, 400 anything else, 405 a method the resource does not take).
Descriptions are in English whatever the request's language: Open311 clients are international.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import wraps
from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from yiwang.cases.open311 import conf, parameters, selectors, services
from yiwang.cases.open311.attributes import ATTRIBUTES
from yiwang.cases.open311.formats import CONTENT_TYPES, JSON, MEDIA_TYPES, XML, render, render_errors, w3c_datetime
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00+08:00"  # when this endpoint's definition last changed
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REQUEST_DATETIMES = ("requested_datetime", "updated_datetime", "expected_datetime")

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """An Open311 resource: the format checked, the jurisdiction checked, expected errors as Open311 documents."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            with translation.override("en"):
                if fmt not in CONTENT_TYPES:
                    return render_errors([(400, f"Unknown format {fmt[:20]}: use .xml or .json.")], fmt=XML, status=400)
                allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
                if request.method not in allowed:
                    response = render_errors(
                        [(405, f"{request.method} is not allowed here: use {', '.join(methods)}.")],
                        fmt=fmt,
                        status=405,
                    )
                    response["Allow"] = ", ".join(sorted(allowed))
                    return response
                try:
                    _check_jurisdiction(request)
                    return view(request, *args, fmt=fmt, **kwargs)
                except NotFound as error:
                    return render_errors([(404, str(error.message))], fmt=fmt, status=404)
                except PermissionDenied as error:
                    return render_errors([(403, str(error.message))], fmt=fmt, status=403)
                except (ValidationFailed, Conflict) as error:
                    return render_errors([(400, str(error.message))], fmt=fmt, status=400)
                except RequestDataTooBig:
                    return render_errors([(400, "The request body is too large.")], fmt=fmt, status=400)
                except (TooManyFieldsSent, MultiPartParserError, BadRequest, SuspiciousOperation):
                    return render_errors([(400, "The request body could not be read.")], fmt=fmt, status=400)

        return wrapper

    return decorate


def _check_jurisdiction(request: HttpRequest) -> None:
    """This endpoint serves one jurisdiction: another one named is not found (the spec's 404); none is fine."""
    source = request.POST if request.method == "POST" and request.content_type in FORM_TYPES else request.GET
    given = (source.get("jurisdiction_id") or request.GET.get("jurisdiction_id") or "").strip()
    if given and given.lower() != conf.jurisdiction().lower():
        raise NotFound(f"jurisdiction_id {given[:100]} was not found: this endpoint serves {conf.jurisdiction()}.")


def _base_url(request: HttpRequest) -> str:
    discovery = reverse("open311:discovery", kwargs={"fmt": XML})
    return request.build_absolute_uri(discovery.removesuffix(f"discovery.{XML}"))


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """Service discovery: where the GeoReport v2 endpoint is, in which formats, and how to get a key."""
    document = {
        "changeset": CHANGESET,
        "contact": conf.contact(),
        "key_service": conf.key_service(),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": _base_url(request),
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(MEDIA_TYPES),
            }
        ],
    }
    return render(document, fmt=fmt, root="discovery")


def _service_document(service: selectors.ServiceInfo) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(ATTRIBUTES),
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    }


@endpoint("GET")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET services: one service per active leaf category of the taxonomy."""
    document = [_service_document(service) for service in selectors.open311_services()]
    return render(document, fmt=fmt, root="services")


@endpoint("GET")
def service_definition(request: HttpRequest, *, code: str, fmt: str) -> HttpResponse:
    """GET services/{code}: the attributes a request of this service takes."""
    service = selectors.open311_service_get(code=code)
    if service is None:
        raise NotFound(f"service_code {code[:40]} was not found.")
    attributes = [
        {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": attribute.datatype_description or None,
            "order": attribute.order,
            "description": attribute.description,
            "values": [{"key": value.key, "name": value.name} for value in attribute.values],
        }
        for attribute in ATTRIBUTES
    ]
    return render({"service_code": service.code, "attributes": attributes}, fmt=fmt, root="service_definition")


def _request_document(info: selectors.ServiceRequestInfo) -> dict[str, Any]:
    document = asdict(info)
    for name in REQUEST_DATETIMES:
        document[name] = w3c_datetime(document[name])
    return document


@csrf_exempt  # partners authenticate with their api_key, not a session
@endpoint("GET", "POST")
def service_requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET requests: public service requests by the spec's filters; POST requests: a partner's new request."""
    if request.method == "POST":
        if request.content_type not in FORM_TYPES:
            raise ValidationFailed("Send the request form-encoded: application/x-www-form-urlencoded; charset=utf-8.")
        api_key = request.POST.get("api_key") or request.GET.get("api_key") or ""
        receipt = services.open311_request_submit(api_key=api_key, submission=parameters.submission(request.POST))
        return render([asdict(receipt)], fmt=fmt, root="service_requests")
    found = selectors.open311_requests(query=parameters.request_query(request.GET))
    return render([_request_document(info) for info in found], fmt=fmt, root="service_requests")


@endpoint("GET")
def request_detail(request: HttpRequest, *, number: str, fmt: str) -> HttpResponse:
    """GET requests/{id}: one service request, as an array of one element."""
    info = selectors.open311_request_get(number=number)
    if info is None:
        raise NotFound(f"service_request_id {number[:40]} was not found.")
    return render([_request_document(info)], fmt=fmt, root="service_requests")


@endpoint("GET")
def token_detail(request: HttpRequest, *, token: str, fmt: str) -> HttpResponse:
    """GET tokens/{token}: the service_request_id a token stands for."""
    number = selectors.open311_token_number(token=token)
    if number is None:
        raise NotFound(f"token {token[:60]} was not found.")
    return render([{"service_request_id": number, "token": token}], fmt=fmt, root="service_requests")


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404, in XML unless the path ends in .json."""
    fmt = JSON if path.endswith(f".{JSON}") else XML
    with translation.override("en"):
        return render_errors([(404, "No such Open311 resource: see discovery.xml.")], fmt=fmt, status=404)


def nul_refusal(request: HttpRequest, where: str) -> HttpResponse:
    """The core's refusal of a NUL character (`YIWANG_NUL_REFUSALS`), as the spec's 400 error document."""
    fmt = JSON if request.path.endswith(f".{JSON}") else XML
    return render_errors(
        [(400, f"{where} contains a NUL character (U+0000), which is not accepted.")], fmt=fmt, status=400
    )
