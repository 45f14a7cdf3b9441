"""The JSON API (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs; errors are RFC 7807."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from yiwang.cases.api import router as cases_router
from yiwang.core.api import router as core_router
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, YiwangError
from yiwang.datahub.api import router as datahub_router
from yiwang.identity.api import router as identity_router
from yiwang.licenses.api import router as licenses_router
from yiwang.org.api import router as org_router
from yiwang.services.api import router as services_router
from yiwang.services.api_bundles import router as bundles_router
from yiwang.services.api_process import router as process_router
from yiwang.services.api_ratings import router as ratings_router
from yiwang.web.api import router as audit_router

api = NinjaAPI(
    title="Yiwang API",
    version="1",
    description="Yiwang (一网通) platform API. Errors are RFC 7807 problem documents (application/problem+json).",
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", identity_router)
api.add_router("/org", org_router)
api.add_router("/audit", audit_router)
api.add_router("/datahub", datahub_router)
api.add_router("/services", services_router)
api.add_router("/services", bundles_router)
api.add_router("/services", ratings_router)
api.add_router("/services", process_router)
api.add_router("/licenses", licenses_router)
api.add_router("/cases", cases_router)

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JsonResponse:
    """An RFC 7807 problem document."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type=PROBLEM, json_dumps_params={"ensure_ascii": False})


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(part) for part in item.get("loc", []) if part not in {"body", "query", "path"}),
            "message": item.get("msg", ""),
        }
        for item in error.errors
    ]
    return problem(422, "Unprocessable Entity", _("The request has invalid fields."), errors=errors)


@api.exception_handler(YiwangError)
def on_service_error(request: HttpRequest, error: YiwangError) -> HttpResponse:
    status = 400
    title = "Bad Request"
    if isinstance(error, PermissionDenied):
        status, title = 403, "Forbidden"
    elif isinstance(error, NotFound):
        status, title = 404, "Not Found"
    elif isinstance(error, Conflict):
        status, title = 409, "Conflict"
    elif isinstance(error, ValidationFailed):
        status, title = 422, "Unprocessable Entity"
    problems = getattr(error, "problems", None)  # errors that name several fields at once (a whole form)
    if problems:
        extra = {"errors": [{"field": field, "message": str(message)} for field, message in problems]}
    else:
        extra = {"errors": [{"field": error.field, "message": str(error)}]} if error.field else {}
    return problem(status, title, str(error), code=error.code, **extra)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = problem(401, "Unauthorized", _("Sign in, or send a valid bearer token."))
    response["WWW-Authenticate"] = 'Bearer realm="yiwang"'
    return response


@api.exception_handler(AuthorizationError)
def on_authorization_error(request: HttpRequest, error: AuthorizationError) -> HttpResponse:
    return problem(403, "Forbidden", _("You are not allowed to do this."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return problem(error.status_code, "Error", str(error))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem(404, "Not Found", str(error) or _("No such resource."))
