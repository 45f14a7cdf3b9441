"""Every configuration option of Yiwang, read from the environment in one place.

Settings modules call these readers; nothing here writes files or opens connections.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

REPOSITORY_DIR = Path(__file__).resolve().parents[2]


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def _integer(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def _list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class Environment:
    """The documented environment variables (see `.env.example`)."""

    production: bool
    debug: bool
    var_dir: Path
    secret_key: str | None
    master_key: str | None
    oidc_private_key: str | None
    database_url: str
    database_pool: bool
    redis_url: str | None
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    behind_tls_proxy: bool
    public_url: str
    public_url_configured: bool
    staff_require_totp: bool
    staff_idle_minutes: int
    citizen_idle_minutes: int
    login_failure_limit: int
    login_lockout_minutes: int
    audit_chain_lanes: int
    exchange_compliance_days: int
    exchange_source_days: int
    exchange_demand_days: int
    gateway_cache_seconds: int
    upload_max_bytes: int
    cjk_font: str
    cases_max_reopens: int
    cases_escalation_step_days: int
    cases_ranking_min_volume: int
    open311_jurisdiction: str
    sms_backend: str
    email_url: str
    log_level: str


def read_environment() -> Environment:
    """Read and check every option; raise ImproperlyConfigured naming the variable that is wrong."""
    production = os.environ.get("YIWANG_ENV", "development") == "production"
    var_dir = Path(os.environ.get("YIWANG_VAR_DIR") or REPOSITORY_DIR / "var").resolve()
    default_database = f"sqlite:///{var_dir / 'db.sqlite3'}"
    environment = Environment(
        production=production,
        debug=_flag("YIWANG_DEBUG", False),
        var_dir=var_dir,
        secret_key=os.environ.get("SECRET_KEY") or None,
        master_key=os.environ.get("YIWANG_MASTER_KEY") or None,
        oidc_private_key=os.environ.get("YIWANG_OIDC_PRIVATE_KEY") or None,
        database_url=os.environ.get("DATABASE_URL") or default_database,
        database_pool=_flag("YIWANG_DATABASE_POOL", True),
        redis_url=os.environ.get("REDIS_URL") or None,
        allowed_hosts=_list("YIWANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"]),
        csrf_trusted_origins=_list("YIWANG_CSRF_TRUSTED_ORIGINS", []),
        behind_tls_proxy=_flag("YIWANG_BEHIND_TLS_PROXY", False),
        public_url=os.environ.get("YIWANG_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        public_url_configured=bool(os.environ.get("YIWANG_PUBLIC_URL")),
        staff_require_totp=_flag("YIWANG_STAFF_REQUIRE_TOTP", True),
        staff_idle_minutes=_integer("YIWANG_STAFF_IDLE_MINUTES", 15),
        citizen_idle_minutes=_integer("YIWANG_CITIZEN_IDLE_MINUTES", 30),
        login_failure_limit=_integer("YIWANG_LOGIN_FAILURE_LIMIT", 5),
        login_lockout_minutes=_integer("YIWANG_LOGIN_LOCKOUT_MINUTES", 15),
        audit_chain_lanes=_integer("YIWANG_AUDIT_CHAIN_LANES", 16),
        exchange_compliance_days=_integer("YIWANG_EXCHANGE_COMPLIANCE_DAYS", 2),
        exchange_source_days=_integer("YIWANG_EXCHANGE_SOURCE_DAYS", 5),
        exchange_demand_days=_integer("YIWANG_EXCHANGE_DEMAND_DAYS", 10),
        gateway_cache_seconds=_integer("YIWANG_GATEWAY_CACHE_SECONDS", 2),
        upload_max_bytes=_integer("YIWANG_UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
        cjk_font=os.environ.get("YIWANG_CJK_FONT", ""),
        cases_max_reopens=_integer("YIWANG_CASES_MAX_REOPENS", 2),
        cases_escalation_step_days=_integer("YIWANG_CASES_ESCALATION_STEP_DAYS", 2),
        cases_ranking_min_volume=_integer("YIWANG_CASES_RANKING_MIN_VOLUME", 30),
        open311_jurisdiction=os.environ.get("YIWANG_OPEN311_JURISDICTION", "minghu.gov.cn"),
        sms_backend=os.environ.get("YIWANG_SMS_BACKEND", ""),
        email_url=os.environ.get("YIWANG_EMAIL_URL", "console:"),
        log_level=os.environ.get("YIWANG_LOG_LEVEL", "INFO"),
    )
    if production and not environment.secret_key:
        raise ImproperlyConfigured("SECRET_KEY must be set when YIWANG_ENV=production")
    if production and not environment.master_key:
        raise ImproperlyConfigured("YIWANG_MASTER_KEY must be set when YIWANG_ENV=production")
    if production and not environment.oidc_private_key:
        raise ImproperlyConfigured("YIWANG_OIDC_PRIVATE_KEY must be set when YIWANG_ENV=production")
    if not 1 <= environment.audit_chain_lanes <= 256:
        raise ImproperlyConfigured("YIWANG_AUDIT_CHAIN_LANES must be between 1 and 256")
    for name, days in (
        ("YIWANG_EXCHANGE_COMPLIANCE_DAYS", environment.exchange_compliance_days),
        ("YIWANG_EXCHANGE_SOURCE_DAYS", environment.exchange_source_days),
        ("YIWANG_EXCHANGE_DEMAND_DAYS", environment.exchange_demand_days),
    ):
        if not 1 <= days <= 60:
            raise ImproperlyConfigured(f"{name} must be between 1 and 60 working days")
    if not 0 <= environment.gateway_cache_seconds <= 60:
        raise ImproperlyConfigured("YIWANG_GATEWAY_CACHE_SECONDS must be between 0 and 60")
    if not 0 <= environment.cases_max_reopens <= 10:
        raise ImproperlyConfigured("YIWANG_CASES_MAX_REOPENS must be between 0 and 10")
    if not 1 <= environment.cases_escalation_step_days <= 30:
        raise ImproperlyConfigured("YIWANG_CASES_ESCALATION_STEP_DAYS must be between 1 and 30 working days")
    if environment.cases_ranking_min_volume < 1:
        raise ImproperlyConfigured("YIWANG_CASES_RANKING_MIN_VOLUME must be at least 1")
    if environment.upload_max_bytes < 1:
        raise ImproperlyConfigured("YIWANG_UPLOAD_MAX_BYTES must be a positive number of bytes")
    return environment
