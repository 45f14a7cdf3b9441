"""The Open311 server's settings, each with its default: read when used, so tests may override them."""

from __future__ import annotations

from django.conf import settings

DEFAULT_JURISDICTION = "minghu.gov.cn"
DEFAULT_MAX_REQUESTS = 1000  # the spec's default volume: "90 days or first 1000 requests, whichever is smallest"
DEFAULT_CONTACT = "12345政务服务便民热线 (12345 hotline centre), dial 12345"
DEFAULT_KEY_SERVICE = (
    "API keys for posting requests are issued by the platform's administrators at the 12345 hotline centre "
    "(12345热线中心) to partner systems on request."
)


def jurisdiction() -> str:
    """The one jurisdiction this endpoint serves (`jurisdiction_id`, the city's domain by the spec's suggestion)."""
    return str(getattr(settings, "YIWANG_OPEN311_JURISDICTION", DEFAULT_JURISDICTION))


def max_requests() -> int:
    """The most service requests one answer of GET requests carries (also the largest `page_size`)."""
    return int(getattr(settings, "YIWANG_OPEN311_MAX_REQUESTS", DEFAULT_MAX_REQUESTS))


def contact() -> str:
    """Discovery's `contact`: who runs this endpoint."""
    return str(getattr(settings, "YIWANG_OPEN311_CONTACT", DEFAULT_CONTACT))


def key_service() -> str:
    """Discovery's `key_service`: how a partner gets an API key."""
    return str(getattr(settings, "YIWANG_OPEN311_KEY_SERVICE", DEFAULT_KEY_SERVICE))
