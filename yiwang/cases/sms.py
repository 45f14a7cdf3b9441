"""The SMS seam: `send_sms(phone, text)` through the backend named by the setting `YIWANG_SMS_BACKEND` (a dotted
path to a class with `send(phone, text)`), as Django's mail goes through `EMAIL_BACKEND`.

Without the setting, development (`DEBUG`) prints the masked phone and the text on the console; anywhere else
nothing is sent and `SmsNotSent` says so, rather than pretending. Tests use `LocmemBackend`, which keeps the
messages in `outbox` like Django's mail outbox. A real gateway (a province's SMS platform, a carrier's) is one more
class with the same method.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from yiwang.core.identifiers import mask_phone

CONSOLE_BACKEND = "yiwang.cases.sms.ConsoleBackend"
LOCMEM_BACKEND = "yiwang.cases.sms.LocmemBackend"
DISABLED_BACKEND = "yiwang.cases.sms.DisabledBackend"


class SmsNotSent(Exception):
    """The message could not be sent (no gateway configured, or the gateway refused it)."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    """Development: the masked phone and the text on standard output."""

    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {mask_phone(phone)}] {text}\n")
        sys.stdout.flush()


# What LocmemBackend sent, oldest first (tests empty it before they start).
outbox: list[SmsMessage] = []


class LocmemBackend:
    """Tests: keeps every message in `yiwang.cases.sms.outbox`."""

    def send(self, phone: str, text: str) -> None:
        outbox.append(SmsMessage(phone=phone, text=text))


class DisabledBackend:
    """No gateway configured outside development: refuse, so the page says the code could not be sent."""

    def send(self, phone: str, text: str) -> None:
        raise SmsNotSent("no SMS gateway is configured (YIWANG_SMS_BACKEND)")


def backend_path() -> str:
    """The configured backend, or the console in development and nothing elsewhere."""
    configured = str(getattr(settings, "YIWANG_SMS_BACKEND", "") or "")
    if configured:
        return configured
    return CONSOLE_BACKEND if settings.DEBUG else DISABLED_BACKEND


def send_sms(phone: str, text: str) -> None:
    """Send one text message; raise SmsNotSent when it could not be sent."""
    backend: SmsBackend = import_string(backend_path())()
    try:
        backend.send(phone, text)
    except SmsNotSent:
        raise
    except Exception as error:  # a gateway's own error: the caller tells the person to try again
        raise SmsNotSent(str(error)) from error
