"""A Python client of the gateway: signs every request (see docs/exchange-signing.md).

Tests and benchmarks call the gateway through this client; a department's system can use it as is:

    client = GatewayClient("https://yiwang.example.gov.cn", app_key, secret, user_id="110105…", purpose="低保审核")
    answer = client.record("population", "110105194912310021")
"""

from __future__ import annotations

import http.client
import json
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yiwang.exchange.signing import canonical_path, sign

GATEWAY_PREFIX = "/gateway/v1"


@dataclass
class GatewayResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def data(self) -> Any:
        return json.loads(self.body) if self.body else None


# A transport sends one request: (method, path with query, headers, body) → response.
Transport = Callable[[str, str, dict[str, str], bytes], GatewayResponse]


class HttpTransport:
    """Plain HTTP(S) with one kept-alive connection (not thread-safe: one per thread)."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._netloc = parts.netloc
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._connection = kind(self._netloc, timeout=self._timeout)
        return self._connection

    def __call__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> GatewayResponse:
        for attempt in (1, 2):  # a kept-alive connection the server closed is opened again once
            connection = self._connect()
            try:
                connection.request(method, self._prefix + path, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
                return GatewayResponse(response.status, dict(response.getheaders()), data)
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                self._connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class InProcessTransport:
    """Calls the gateway inside this Django process through the whole stack (middleware, log included),
    without a network: for tests and for the demo city's sample calls."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        from django.test import Client

        self._client = Client(HTTP_HOST=host)

    def __call__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> GatewayResponse:
        from django.utils import translation

        extra: dict[str, Any] = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        content_type = extra.pop("HTTP_CONTENT_TYPE", "application/json")
        # The request activates a language of its own: the caller's must survive it.
        with translation.override(translation.get_language()):
            response = self._client.generic(method, path, data=body, content_type=content_type, **extra)
        return GatewayResponse(response.status_code, dict(response.headers), response.content)


@dataclass
class GatewayClient:
    """Signed calls to the gateway for one consumer system, on behalf of one person, for one purpose."""

    base_url: str
    app_key: str
    secret: str
    user_id: str
    purpose: str
    case_ref: str = ""
    transport: Transport | None = None
    clock: Callable[[], float] = field(default=lambda: time.time())
    nonce: Callable[[], str] = field(default=lambda: secrets.token_urlsafe(18))

    def __post_init__(self) -> None:
        if self.transport is None:
            self.transport = HttpTransport(self.base_url)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        payload: Any = None,
        body: bytes | None = None,
    ) -> GatewayResponse:
        """Sign and send one request; `path` is below /gateway/v1 (e.g. '/population/records/…'), not encoded."""
        full_path = GATEWAY_PREFIX + path
        if body is None:
            body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        signed = sign(
            app_key=self.app_key,
            secret=self.secret,
            method=method,
            path=full_path,
            query=query,
            body=body,
            timestamp=str(int(self.clock())),
            nonce=self.nonce(),
            user_id=self.user_id,
            purpose=self.purpose,
            case_ref=self.case_ref,
        )
        headers = signed.as_dict()
        if body:
            headers["Content-Type"] = "application/json"
        target = canonical_path(full_path)
        if query:
            target += "?" + urllib.parse.urlencode(list(query), quote_via=urllib.parse.quote)
        assert self.transport is not None
        return self.transport(method, target, headers, body)

    def record(self, resource: str, key: str) -> GatewayResponse:
        """One record by its key (for a key of several elements, their values joined by '|')."""
        return self.request("GET", f"/{resource}/records/{key}")

    def records(self, resource: str, keys: Sequence[str]) -> GatewayResponse:
        """Up to 1,000 records by key."""
        return self.request("POST", f"/{resource}/records:batch", payload={"keys": list(keys)})

    def query(
        self, resource: str, filters: Sequence[Mapping[str, Any]], *, after: str | None = None, limit: int = 100
    ) -> GatewayResponse:
        """Records whose granted elements pass the filters, a page at a time (`after`: the previous `next`)."""
        payload: dict[str, Any] = {"filters": list(filters), "limit": limit}
        if after:
            payload["after"] = after
        return self.request("POST", f"/{resource}/query", payload=payload)

    def verify(self, resource: str, values: Mapping[str, str]) -> GatewayResponse:
        """Whether each given value matches the registry, disclosing nothing else."""
        return self.request("POST", f"/{resource}/verify", payload={"values": dict(values)})
