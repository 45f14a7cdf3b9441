"""Database helpers shared by bulk loads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

SQLITE_BULK_CACHE_KIB = 512 * 1024


@contextmanager
def bulk_load_cache() -> Iterator[None]:
    """On SQLite, a page cache big enough for the indexes of a bulk load, for its duration.

    Keys such as blind indexes and UUIDs arrive in random order; with SQLite's default 2 MiB cache every
    insert re-reads index pages and every commit rewrites most of them. The cache only grows as it is used.
    PostgreSQL sizes its own buffers: nothing to do there.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        row = cursor.fetchone()
        previous = int(row[0]) if row else -2000
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous:d}")
