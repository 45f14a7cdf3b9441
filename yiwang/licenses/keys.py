"""The keys that sign: the seal maker's, derived from the master key and never stored, and a seal's, kept
SM4-encrypted under the master key (ADR 0019 says how an HSM would hold them instead)."""

from __future__ import annotations

import datetime
from functools import cache

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit.services import record_event
from yiwang.core.crypto import CryptoError, Sm2KeyPair, derive_key, sm2_key_pair_from_secret, sm3_hex
from yiwang.licenses import ses
from yiwang.licenses.models import Seal, SealMaker

MAKER_SUBJECT = ses.Subject(common_name="Yiwang e-seal maker (一网通电子印章制作)", organization="Yiwang")


@cache
def _maker_key(master_fingerprint: bytes) -> Sm2KeyPair:
    return sm2_key_pair_from_secret(master_fingerprint)


def maker_key() -> Sm2KeyPair:
    """The seal maker's key pair (computed once per process and master key)."""
    return _maker_key(derive_key("licenses/seal-maker"))


def seal_key(seal: Seal) -> Sm2KeyPair:
    """A seal's key pair, its private half decrypted from the database."""
    return Sm2KeyPair(public_key=bytes(seal.public_key), private_key=bytes.fromhex(seal.private_key))


def seal_maker() -> SealMaker:
    """The seal maker's row (pk 1), created with its self-issued certificate the first time it is needed.

    Refuses to go on when the master key no longer gives the key of the stored certificate: seals made now would
    not verify against the published maker."""
    found = SealMaker.objects.filter(pk=1).first()
    if found is None:
        key = maker_key()
        now = timezone.now()
        certificate = ses.make_certificate(
            subject=MAKER_SUBJECT,
            public_key=key.public_key,
            issuer=MAKER_SUBJECT,
            issuer_key=key,
            serial=1,
            not_before=now,
            not_after=now + datetime.timedelta(days=365 * 30),
            authority=True,
        )
        with transaction.atomic():
            found, created = SealMaker.objects.get_or_create(
                pk=1, defaults={"certificate": certificate, "public_key": key.public_key, "created_at": now}
            )
            if created:
                record_event(
                    actor=None,
                    action="licenses.maker.create",
                    object_type="licenses.SealMaker",
                    object_id=found.pk,
                    changes={"certificate_sm3": sm3_hex(certificate)},
                )
    if bytes(found.public_key) != maker_key().public_key:
        raise CryptoError(
            "the master key does not give the seal maker's key: seals and their directory cannot be signed "
            "(restore YIWANG_MASTER_KEY, or see ADR 0019 for a new maker)"
        )
    return found
