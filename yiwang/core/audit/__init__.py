"""Tamper-evident audit log: every state change and every read of personal data, hash-chained with SM3."""
