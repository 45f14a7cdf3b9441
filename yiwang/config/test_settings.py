"""Test overrides: fixed keys, fast password hashing, tasks run at once. Database from DATABASE_URL."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("YIWANG_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
os.environ.setdefault("YIWANG_DATABASE_POOL", "0")
if "YIWANG_OIDC_PRIVATE_KEY" not in os.environ:
    from yiwang.config.secrets import generate_rsa_private_key_pem

    os.environ["YIWANG_OIDC_PRIVATE_KEY"] = generate_rsa_private_key_pem()

from yiwang.config.settings import *  # noqa: F403
from yiwang.config.settings import DATABASES, OAUTH2_PROVIDER, VAR_DIR

PASSWORD_HASHERS = ["yiwang.identity.hashers.FastArgon2PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True
# The issuer follows the live test server's address, whatever YIWANG_PUBLIC_URL the machine has.
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": None}

# One test database per test process, so concurrent runs on one machine never share (or drop) a database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: subprocess tests (the `yiwang` command) and the live server open it too.
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh checkout running pytest alone has no var/ yet
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_yiwang_{os.getpid()}"}
# Reports, uploads and progress files of each test process apart from every other's.
MEDIA_ROOT = VAR_DIR / f"test-media-{os.getpid()}"
YIWANG_GATEWAY_CACHE_SECONDS = 0
