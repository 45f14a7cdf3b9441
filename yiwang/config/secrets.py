"""Development secrets kept under `var/`: created by the `yiwang` command, read by settings.

In production every secret comes from the environment and these files are never created.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"
MASTER_KEY_FILE = "master_key"
OIDC_PRIVATE_KEY_FILE = "oidc_private_key.pem"


def read_secret(var_dir: Path, name: str) -> str | None:
    """Return the secret stored in `var/<name>`, or None when the file does not exist."""
    path = var_dir / name
    if not path.exists():
        return None
    return path.read_text(encoding="ascii").strip()


def _write_private(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(value + "\n")


def ensure_development_secrets(var_dir: Path) -> list[str]:
    """Create whichever development secrets are missing; return the names of those created."""
    created = []
    if not (var_dir / SECRET_KEY_FILE).exists():
        _write_private(var_dir / SECRET_KEY_FILE, secrets.token_urlsafe(50))
        created.append(SECRET_KEY_FILE)
    if not (var_dir / MASTER_KEY_FILE).exists():
        _write_private(var_dir / MASTER_KEY_FILE, secrets.token_hex(32))
        created.append(MASTER_KEY_FILE)
    if not (var_dir / OIDC_PRIVATE_KEY_FILE).exists():
        _write_private(var_dir / OIDC_PRIVATE_KEY_FILE, generate_rsa_private_key_pem())
        created.append(OIDC_PRIVATE_KEY_FILE)
    return created


def generate_rsa_private_key_pem() -> str:
    """A new 2048-bit RSA key in PEM, for signing OpenID Connect ID tokens (RS256)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
