"""The gateway: signed, granted, masked and logged access to the registries (`/gateway/v1/`).

Its own OpenAPI document is at /gateway/v1/openapi.json. Every refusal is an RFC 7807 problem document with
the message in Chinese (`detail`) and English (`detail_en`), and a `code` naming the reason.
"""

from __future__ import annotations

import base64
import binascii
import time
import weakref
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader

from yiwang.core.errors import NotFound, ValidationFailed, YiwangError, lazy_format
from yiwang.core.middleware import NUL, NUL_MESSAGE
from yiwang.datahub.catalog.schema import ElementSpec
from yiwang.datahub.catalog.selectors import SharedResource, shared_resource
from yiwang.datahub.registry.selectors import RecordView, RegistryReader, canonical_value
from yiwang.exchange.log import CallRecord, keys_digest
from yiwang.exchange.masking import is_masked_by_default, mask_value
from yiwang.exchange.models import Consumer, ConsumerStatus, Grant
from yiwang.exchange.signing import (
    HEADER_CASE_REF,
    HEADER_NONCE,
    HEADER_PURPOSE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    HEADER_USER_ID,
    MAX_CLOCK_SKEW,
    NONCE_PATTERN,
    TIMESTAMP_PATTERN,
    header_text,
    query_pairs,
    signature_matches,
    string_to_sign,
)

PROBLEM = "application/problem+json"
JSON = "application/json; charset=utf-8"
MAX_BATCH = 1_000
MAX_PAGE = 1_000


class GatewayRefusal(Exception):
    """A call the gateway refuses: HTTP status, a reason code for the log, and the message."""

    def __init__(
        self, status: int, code: str, message: str | Promise, *, retry_after: int | None = None, field: str = ""
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.field = field


def call_of(request: HttpRequest) -> CallRecord:
    """The log record of this call (set by `GatewayLogMiddleware`; a throw-away one outside it)."""
    call = getattr(request, "gateway_call", None)
    if call is None:
        call = CallRecord(request_id="", client_ip=None)
        request.gateway_call = call  # type: ignore[attr-defined]
    return call


# --- per-process caches (a few seconds: YIWANG_GATEWAY_CACHE_SECONDS) ----------------------------------


class _TtlCache:
    def __init__(self) -> None:
        self._items: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any, load: Any) -> Any:
        ttl = settings.YIWANG_GATEWAY_CACHE_SECONDS
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        if ttl > 0:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (now + ttl, value)
        return value


@dataclass(frozen=True)
class ConsumerCredentials:
    id: int
    department_id: int
    app_key: str
    secrets: tuple[str, ...]
    rate_limit: int


@dataclass(frozen=True)
class ActiveGrant:
    elements: frozenset[str]
    clear: frozenset[str]
    valid_from: Any
    valid_until: Any
    revoked: bool


@dataclass(frozen=True)
class GatewayResource:
    shared: SharedResource
    reader: RegistryReader
    elements: dict[str, ElementSpec]


_consumers = _TtlCache()
_grants = _TtlCache()
_resources = _TtlCache()


def _load_consumer(app_key: str) -> ConsumerCredentials | None:
    consumer = Consumer.objects.filter(app_key=app_key, status=ConsumerStatus.ACTIVE).first()
    if consumer is None:
        return None
    valid = [consumer.secret]
    if consumer.previous_secret and consumer.previous_secret_until and consumer.previous_secret_until > timezone.now():
        valid.append(consumer.previous_secret)
    return ConsumerCredentials(
        id=consumer.pk,
        department_id=consumer.department_id,
        app_key=consumer.app_key,
        secrets=tuple(valid),
        rate_limit=consumer.rate_limit,
    )


def _load_grants(consumer_id: int, resource_id: int) -> list[ActiveGrant]:
    return [
        ActiveGrant(
            frozenset(grant.elements),
            frozenset(grant.clear_elements),
            grant.valid_from,
            grant.valid_until,
            grant.revoked_at is not None,
        )
        for grant in Grant.objects.filter(consumer_id=consumer_id, resource_id=resource_id)
    ]


def _load_resource(slug: str) -> GatewayResource | None:
    try:
        shared = shared_resource(slug=slug)
    except NotFound:
        return None
    return GatewayResource(
        shared=shared,
        reader=RegistryReader(shared.schema),
        elements={element.code: element for element in shared.schema.elements},
    )


# --- authentication: the signature --------------------------------------------------------------------------


class SignedRequest(APIKeyHeader):
    """HMAC-SM3 request signature (docs/exchange-signing.md): X-App-Key, X-Timestamp, X-Nonce, X-Signature."""

    param_name = "X-App-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ConsumerCredentials:
        call = call_of(request)
        headers = request.headers
        call.app_key = (key or "")[:64]
        texts = {name: header_text(headers.get(name, "")) for name in (HEADER_USER_ID, HEADER_PURPOSE, HEADER_CASE_REF)}
        # Text cannot hold a NUL: the log keeps what was sent with it shown as U+FFFD, and the call is refused
        # (the door's own check saw only the percent-encoded form).
        call.user_id, call.purpose, call.case_ref = (text.replace(NUL, "\ufffd") for text in texts.values())
        for name, text in texts.items():
            if NUL in text:
                where = f"header.{name}"
                raise GatewayRefusal(400, "nul_character", lazy_format(_(NUL_MESSAGE), {"where": where}), field=where)
        timestamp = headers.get(HEADER_TIMESTAMP, "")
        nonce = headers.get(HEADER_NONCE, "")
        given = headers.get(HEADER_SIGNATURE, "")
        if not key or not timestamp or not nonce or not given:
            raise GatewayRefusal(
                401, "unsigned", _("The request is not signed: send X-App-Key, X-Timestamp, X-Nonce and X-Signature.")
            )
        if not TIMESTAMP_PATTERN.match(timestamp):
            raise GatewayRefusal(401, "bad_timestamp", _("X-Timestamp must be Unix time in whole seconds."))
        if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            raise GatewayRefusal(
                401, "clock_skew", _("X-Timestamp is more than 5 minutes away from the platform's clock.")
            )
        if not NONCE_PATTERN.match(nonce):
            raise GatewayRefusal(401, "bad_nonce", _("X-Nonce must be 16 to 64 letters, digits, '-' or '_'."))
        consumer: ConsumerCredentials | None = _consumers.get(key, lambda: _load_consumer(key))
        if consumer is None:
            raise GatewayRefusal(401, "unknown_app_key", _("No active consumer system has this application key."))
        call.consumer_id = consumer.id
        call.consumer_department_id = consumer.department_id
        try:
            body = request.body
        except RequestDataTooBig:
            raise GatewayRefusal(413, "too_large", _("The request body is larger than the gateway accepts.")) from None
        text = string_to_sign(
            method=request.method or "GET",
            path=request.path,
            query=query_pairs(request.META.get("QUERY_STRING", "")),
            body=body,
            timestamp=timestamp,
            nonce=nonce,
        )
        if not any(signature_matches(secret, text, given) for secret in consumer.secrets):
            raise GatewayRefusal(401, "bad_signature", _("The signature does not match the request."))
        fresh, count = _nonce_and_rate(consumer.id, nonce)
        if not fresh:
            raise GatewayRefusal(401, "replayed_nonce", _("This nonce was used before: the request is a replay."))
        if not call.user_id.strip():
            raise GatewayRefusal(400, "missing_user", _("Send X-User-Id: the person on whose behalf the system calls."))
        if not call.purpose.strip():
            raise GatewayRefusal(400, "missing_purpose", _("Send X-Purpose: what the data is used for."))
        if count > consumer.rate_limit:
            raise GatewayRefusal(
                429,
                "rate_limited",
                lazy_format(
                    _("More than %(limit)s requests in one second: slow down."), {"limit": consumer.rate_limit}
                ),
                retry_after=1,
            )
        return consumer


NONCE_SECONDS = 2 * MAX_CLOCK_SKEW  # any older copy of a request is refused for its timestamp anyway


# KEYS: the nonce, this second's window; ARGV: how long a nonce is remembered. Returns {1 if the nonce is new, count}.
NONCE_AND_RATE_LUA = """
local fresh = redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1])
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], 2) end
if fresh then return {1, count} end
return {0, count}
"""

_redis_scripts: weakref.WeakKeyDictionary[RedisCache, Any] = weakref.WeakKeyDictionary()


def _nonce_and_rate_script(shared: RedisCache) -> Any:
    """The script, registered once per cache object on one redis-py client (Django's RedisCache builds a new client
    for every operation, which costs more than the round trip: redis-py fills its table of callbacks each time)."""
    script = _redis_scripts.get(shared)
    if script is None:
        script = _redis_scripts[shared] = shared._cache.get_client(write=True).register_script(NONCE_AND_RATE_LUA)
    return script


def _nonce_and_rate(consumer_id: int, nonce: str) -> tuple[bool, int]:
    """Remember the nonce (False when it was seen before) and count the call in this second's window.

    In the shared cache: with Redis, both in one command (a Lua script, run atomically by Redis); otherwise
    through Django's cache API. The window is a fixed second per consumer.
    """
    nonce_key = f"gateway:nonce:{consumer_id}:{nonce}"
    rate_key = f"gateway:rate:{consumer_id}:{int(time.time())}"
    shared = caches["default"]
    if isinstance(shared, RedisCache):
        keys = [shared.make_and_validate_key(nonce_key), shared.make_and_validate_key(rate_key)]
        fresh, count = _nonce_and_rate_script(shared)(keys=keys, args=[NONCE_SECONDS])
        return bool(fresh), int(count)
    fresh = shared.add(nonce_key, 1, timeout=NONCE_SECONDS)
    count = 1 if shared.add(rate_key, 1, timeout=2) else shared.incr(rate_key)
    return fresh, count


gateway = NinjaAPI(
    title="Yiwang exchange gateway",
    version="1",
    description=(
        "Signed access to the city's registries (一网通享). Every request carries X-App-Key, X-Timestamp, "
        "X-Nonce and X-Signature (HMAC-SM3, see docs/exchange-signing.md), X-User-Id and X-Purpose, and "
        "optionally X-Case-Ref. Only granted elements are returned; sensitive ones are masked unless the grant "
        "allows clear text. A resource shared for verification only (such as `e-licenses`) answers `verify` alone; "
        "its other operations are refused with 403 `verification_only`. Errors are RFC 7807 problem documents with "
        "`detail` in Chinese and `detail_en` in English."
    ),
    urls_namespace="gateway",
    auth=SignedRequest(),
    docs_url="/docs",
)


def _problem(status: int, code: str, message: str | Promise, **extra: Any) -> JsonResponse:
    with translation.override("zh-hans"):
        chinese = str(message)
    with translation.override("en"):
        english = str(message)
    body = {
        "type": f"https://yiwang.gov.cn/problems/gateway/{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": chinese,
        "detail_en": english,
        **extra,
    }
    return JsonResponse(body, status=status, content_type=PROBLEM, json_dumps_params={"ensure_ascii": False})


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


@gateway.exception_handler(GatewayRefusal)
def on_refusal(request: HttpRequest, error: GatewayRefusal) -> HttpResponse:
    call_of(request).reason = error.code
    response = _problem(error.status, error.code, error.message, **({"field": error.field} if error.field else {}))
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Yiwang-HMAC-SM3 realm="gateway"'
    return response


@gateway.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return on_refusal(request, GatewayRefusal(401, "unsigned", _("The request is not signed.")))


@gateway.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    call_of(request).reason = "invalid_request"
    errors = [
        {
            "field": ".".join(
                str(part) for part in item.get("loc", []) if part not in {"body", "query", "path", "payload"}
            ),
            "message": item.get("msg", ""),
        }
        for item in error.errors
    ]
    return _problem(422, "invalid_request", _("The request has invalid fields."), errors=errors)


@gateway.exception_handler(YiwangError)
def on_service_error(request: HttpRequest, error: YiwangError) -> HttpResponse:
    status = 404 if isinstance(error, NotFound) else 422
    call_of(request).reason = error.code
    extra = {"errors": [{"field": error.field, "message": str(error)}]} if error.field else {}
    return _problem(status, error.code, error.message, **extra)


@gateway.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 400:  # django-ninja's "Cannot parse request body"
        call_of(request).reason = "unreadable_body"
        return _problem(400, "unreadable_body", _("The request body cannot be read as JSON (UTF-8)."))
    call_of(request).reason = "http_error"
    return _problem(error.status_code, "http_error", _("The request cannot be served."))


def log_unavailable() -> JsonResponse:
    """The answer when a call's access-log entry cannot be written: no data goes out unlogged."""
    response = _problem(
        503, "log_unavailable", _("The access log cannot be written just now, so no data is given: try again shortly.")
    )
    response["Retry-After"] = "5"
    return response


def plain_refusal_as_problem(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Answers made outside the API (an unknown path, a method the path does not take) as problem documents."""
    if response.status_code == 404 and response.get("Content-Type", "").startswith("text/"):
        call_of(request).reason = "unknown_path"
        return _problem(404, "unknown_path", _("The gateway has no such path; see /gateway/v1/openapi.json."))
    if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/"):
        call_of(request).reason = "method_not_allowed"
        problem = _problem(405, "method_not_allowed", _("This path does not take this method."))
        problem["Allow"] = response.get("Allow", "")
        return problem
    return response


@gateway.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    call_of(request).reason = "not_found"
    return _problem(404, "not_found", _("Not found."))


# --- grants and masking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What this call may see of this resource."""

    resource: GatewayResource
    elements: tuple[str, ...]
    granted: frozenset[str]
    clear: frozenset[str]


def _access(request: HttpRequest, slug: str, operation: str, *, asked: list[str] | None = None) -> Access:
    call = call_of(request)
    call.operation = operation
    call.resource_slug = slug[:64]
    consumer: ConsumerCredentials = request.auth  # type: ignore[attr-defined]
    resource: GatewayResource | None = _resources.get(slug, lambda: _load_resource(slug))
    if resource is None:
        raise GatewayRefusal(404, "unknown_resource", _("No published resource has this name."))
    call.resource_id = resource.shared.schema.resource_id
    call.provider_department_id = resource.shared.source_department_id
    if resource.shared.verification_only and operation != "verify":
        raise GatewayRefusal(
            403,
            "verification_only",
            _("This resource is shared for verification only: use verify; it gives out no records."),
        )
    grants: list[ActiveGrant] = _grants.get(
        (consumer.id, call.resource_id), lambda: _load_grants(consumer.id, resource.shared.schema.resource_id)
    )
    today = timezone.localdate()
    current = [grant for grant in grants if not grant.revoked and grant.valid_from <= today <= grant.valid_until]
    if not current:
        if any(not grant.revoked for grant in grants):
            raise GatewayRefusal(403, "grant_expired", _("The grant for this resource has expired or not begun."))
        if grants:
            raise GatewayRefusal(403, "grant_revoked", _("The grant for this resource was revoked."))
        raise GatewayRefusal(403, "no_grant", _("The system has no grant for this resource."))
    granted = frozenset().union(*(grant.elements for grant in current))
    clear = frozenset().union(*(grant.clear for grant in current))
    if asked:
        call.elements = list(dict.fromkeys(asked))
        outside = [code for code in asked if code not in granted]
        if outside:
            raise GatewayRefusal(
                403,
                "element_not_granted",
                lazy_format(_("Elements outside the grant: %(codes)s."), {"codes": ", ".join(sorted(outside))}),
            )
        chosen = tuple(dict.fromkeys(asked))
    else:
        chosen = tuple(code for code in resource.elements if code in granted)
        call.elements = list(chosen)
    return Access(resource=resource, elements=chosen, granted=granted, clear=clear)


def _present(access: Access, record: RecordView) -> dict[str, Any]:
    values: dict[str, str | None] = {}
    masked: list[str] = []
    for code in access.elements:
        value = record.values.get(code) or None
        element = access.resource.elements[code]
        if value and code not in access.clear and is_masked_by_default(element):
            value = mask_value(element, value)
            masked.append(code)
        values[code] = value
    return {"values": values, "masked": masked}


def _elements_param(elements: str | None) -> list[str] | None:
    if not elements:
        return None
    return [code.strip() for code in elements.split(",") if code.strip()]


def _answer(body: dict[str, Any]) -> HttpResponse:
    """A successful answer, rendered by orjson. The response schemas below document it (and the schemathesis test
    checks answers against them); having pydantic validate and Django's encoder render a body built here costs
    more than the record's read."""
    return HttpResponse(orjson.dumps(body), content_type=JSON)


# --- endpoints ---------------------------------------------------------------------------------------------------


class RecordOut(Schema):
    key: str
    values: dict[str, str | None] = Field(description="granted elements; masked ones as the mask shows them")
    masked: list[str] = Field(description="codes of the elements returned masked")


class BatchIn(Schema):
    keys: list[str] = Field(min_length=1, max_length=MAX_BATCH)


class BatchOut(Schema):
    records: list[RecordOut]
    missing: list[str]


class FilterIn(Schema):
    element: str = Field(max_length=64)
    op: str = Field("eq", pattern="^(eq|in|prefix)$")
    value: str | None = Field(None, max_length=200)
    values: list[str] | None = Field(None, max_length=100)


class QueryIn(Schema):
    filters: list[FilterIn] = Field(min_length=1, max_length=10)
    after: str | None = Field(None, max_length=40)
    limit: int = Field(100, ge=1, le=MAX_PAGE)


class QueryOut(Schema):
    records: list[RecordOut]
    next: str | None = Field(description="pass as `after` for the next page; null on the last page")


class VerifyIn(Schema):
    values: dict[str, str] = Field(description="element code → value to check (the key elements are required)")


class VerifyOut(Schema):
    matched: bool = Field(description="every given value matches")
    elements: dict[str, bool]


REFUSALS: dict[int | str, Any] = {
    400: dict[str, Any],
    401: dict[str, Any],
    403: dict[str, Any],
    404: dict[str, Any],
    422: dict[str, Any],
    429: dict[str, Any],
}


@gateway.get(
    "/{resource}/records/{key}",
    response={200: RecordOut, **REFUSALS},
    summary="One record by its key (several key elements: values joined by '|')",
)
def record(request: HttpRequest, resource: str, key: str, elements: str | None = None) -> Any:
    access = _access(request, resource, "record", asked=_elements_param(elements))
    call = call_of(request)
    try:
        stored = access.resource.reader.stored_key(key)
    except ValidationFailed:
        stored = ""
    call.subjects = [stored] if stored else []
    call.keys_digest = keys_digest([stored or key])
    found = access.resource.reader.by_stored_keys([stored]).get(stored) if stored else None
    if found is None:
        raise GatewayRefusal(404, "record_not_found", _("No record has this key."))
    call.result_count = 1
    return _answer({"key": key, **_present(access, found)})


@gateway.post("/{resource}/records:batch", response={200: BatchOut, **REFUSALS}, summary="Up to 1,000 records by key")
def records_batch(request: HttpRequest, resource: str, payload: BatchIn, elements: str | None = None) -> Any:
    access = _access(request, resource, "batch", asked=_elements_param(elements))
    call = call_of(request)
    stored_of: dict[str, str] = {}
    for key in payload.keys:
        try:
            stored_of[key] = access.resource.reader.stored_key(key)
        except ValidationFailed:
            continue
    call.subjects = list(stored_of.values())
    call.keys_digest = keys_digest(sorted(stored_of.values()))
    found = access.resource.reader.by_stored_keys(list(stored_of.values()))
    records = []
    missing = []
    for key in payload.keys:
        view = found.get(stored_of.get(key, ""))
        if view is None:
            missing.append(key)
        else:
            records.append({"key": key, **_present(access, view)})
    call.result_count = len(records)
    return _answer({"records": records, "missing": missing})


def _cursor(record_id: int) -> str:
    return base64.urlsafe_b64encode(record_id.to_bytes(8, "big")).decode("ascii").rstrip("=")


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise ValidationFailed(_("`after` is not a cursor this gateway gave."), field="after") from None
    if len(raw) != 8:
        raise ValidationFailed(_("`after` is not a cursor this gateway gave."), field="after")
    return int.from_bytes(raw, "big")


@gateway.post(
    "/{resource}/query",
    response={200: QueryOut, **REFUSALS},
    summary="Records whose granted elements pass the filters, in pages (keyset: pass `next` as `after`)",
)
def query(request: HttpRequest, resource: str, payload: QueryIn, elements: str | None = None) -> Any:
    access = _access(request, resource, "query", asked=_elements_param(elements))
    call = call_of(request)
    filters: list[tuple[str, str, list[str]]] = []
    for index, item in enumerate(payload.filters):
        if item.element not in access.resource.elements:
            raise ValidationFailed(
                lazy_format(
                    _("%(resource)s has no element %(code)s."),
                    {"resource": access.resource.shared.schema.name, "code": item.element},
                ),
                field=f"filters.{index}.element",
            )
        if item.element not in access.granted:
            raise GatewayRefusal(
                403,
                "element_not_granted",
                lazy_format(_("Elements outside the grant: %(codes)s."), {"codes": item.element}),
            )
        values = item.values if item.op == "in" else [item.value] if item.value is not None else None
        if not values:
            raise ValidationFailed(_("Give `value` (or `values` for op 'in')."), field=f"filters.{index}.value")
        filters.append((item.element, item.op, [str(value) for value in values]))
    call.keys_digest = keys_digest({"filters": [list(item) for item in filters], "after": payload.after or ""})
    rows = access.resource.reader.query(filters, after=_after(payload.after), limit=payload.limit + 1)
    page = rows[: payload.limit]
    call.subjects = [row.key for row in page]
    call.result_count = len(page)
    schema = access.resource.shared.schema
    return _answer(
        {
            "records": [_queried(access, schema.key_elements, row) for row in page],
            "next": _cursor(page[-1].record_id) if len(rows) > payload.limit else None,
        }
    )


def _queried(access: Access, key_elements: Any, row: RecordView) -> dict[str, Any]:
    """A found record: its key shown as its key elements are shown to this system (masked, or not at all)."""
    parts = []
    for element in key_elements:
        value = row.values.get(element.code, "") if element.code in access.granted else ""
        if value and element.code not in access.clear and is_masked_by_default(element):
            value = mask_value(element, value)
        parts.append(value)
    return {"key": "|".join(parts), **_present(access, row)}


@gateway.post(
    "/{resource}/verify",
    response={200: VerifyOut, **REFUSALS},
    summary="Whether each given value matches the registry (discloses nothing else)",
)
def verify(request: HttpRequest, resource: str, payload: VerifyIn) -> Any:
    asked = list(payload.values)
    access = _access(request, resource, "verify", asked=asked or None)
    if not asked:
        raise ValidationFailed(_("Give the values to verify."), field="values")
    call = call_of(request)
    schema = access.resource.shared.schema
    missing_keys = [element.name for element in schema.key_elements if element.code not in payload.values]
    if missing_keys:
        raise ValidationFailed(
            lazy_format(_("Include the key to verify against: %(names)s."), {"names": ", ".join(missing_keys)}),
            field="values",
        )
    key_text = "|".join(payload.values[element.code] for element in schema.key_elements)
    try:
        stored = access.resource.reader.stored_key(key_text)
    except ValidationFailed:
        stored = ""
    call.subjects = [stored] if stored else []
    call.keys_digest = keys_digest([stored or key_text])
    found = access.resource.reader.by_stored_keys([stored]).get(stored) if stored else None
    results: dict[str, bool] = {}
    for code, given in payload.values.items():
        if found is None:
            results[code] = False
            continue
        held = found.values.get(code, "")
        results[code] = bool(held) and canonical_value(schema, code, given) == canonical_value(schema, code, held)
    call.result_count = 1 if found is not None else 0
    return _answer({"matched": bool(results) and all(results.values()), "elements": results})
