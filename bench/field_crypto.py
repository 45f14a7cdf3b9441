"""What protecting a personal field costs: SM4-GCM encryption and an HMAC-SM3 blind index per value.

    .venv/bin/python -m bench.field_crypto [--count 100000] [--runs 5]

Baseline, measured in the same run on the same values: AES-128-GCM (OpenSSL through `cryptography`) and
HMAC-SHA256 (the standard library) — what the same protection costs with international algorithms.
SM3 and SM2 throughput are printed for reference.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import statistics
import time
from collections.abc import Callable


def _median_seconds(function: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.test_settings")
    import django

    django.setup()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from yiwang.core import crypto

    values = [f"4198021990{index:08d}" for index in range(options.count)]
    tokens = [crypto.encrypt_field(value, context="bench.id_number") for value in values]
    aes = AESGCM(os.urandom(16))
    aes_tokens = [(nonce := os.urandom(12), aes.encrypt(nonce, value.encode(), b"bench.id_number")) for value in values]
    index_key = os.urandom(32)

    figures = {
        "SM4-GCM encrypt": _median_seconds(
            lambda: [crypto.encrypt_field(value, context="bench.id_number") for value in values], options.runs
        ),
        "SM4-GCM decrypt": _median_seconds(
            lambda: [crypto.decrypt_field(token, context="bench.id_number") for token in tokens], options.runs
        ),
        "HMAC-SM3 blind index": _median_seconds(
            lambda: [crypto.blind_index(value, purpose="bench") for value in values], options.runs
        ),
        "AES-GCM encrypt (baseline)": _median_seconds(
            lambda: [aes.encrypt(os.urandom(12), value.encode(), b"bench.id_number") for value in values], options.runs
        ),
        "AES-GCM decrypt (baseline)": _median_seconds(
            lambda: [aes.decrypt(nonce, data, b"bench.id_number") for nonce, data in aes_tokens], options.runs
        ),
        "HMAC-SHA256 (baseline)": _median_seconds(
            lambda: [hmac.new(index_key, value.encode(), hashlib.sha256).hexdigest() for value in values], options.runs
        ),
    }
    print(f"{options.count} values of 18 characters, median of {options.runs} runs, per value:")
    for name, seconds in figures.items():
        print(f"  {name:28s} {seconds / options.count * 1e6:8.2f} µs")
    for ours, theirs in [
        ("SM4-GCM encrypt", "AES-GCM encrypt (baseline)"),
        ("SM4-GCM decrypt", "AES-GCM decrypt (baseline)"),
        ("HMAC-SM3 blind index", "HMAC-SHA256 (baseline)"),
    ]:
        print(f"  ratio {ours} / {theirs}: {figures[ours] / figures[theirs]:.2f}")
    block = os.urandom(1 << 20)
    sm3 = _median_seconds(lambda: crypto.sm3_digest(block), options.runs)
    pair = crypto.sm2_generate_key_pair()
    signature = crypto.sm2_sign(pair, b"message")
    sign = _median_seconds(lambda: [crypto.sm2_sign(pair, b"message") for _ in range(200)], options.runs) / 200
    verify = (
        _median_seconds(
            lambda: [crypto.sm2_verify(pair.public_key, b"message", signature) for _ in range(200)], options.runs
        )
        / 200
    )
    print(f"  SM3 {1 / sm3:,.0f} MB/s; SM2 sign {1 / sign:,.0f}/s, verify {1 / verify:,.0f}/s")


if __name__ == "__main__":
    main()
