"""The exchange's pages in headless Chromium, signing staff in as the data hub's browser tests do.

The `browser` and `page` fixtures and the `browser` marker come from yiwang/conftest.py; `exchange` and the
registries from yiwang/exchange/tests/conftest.py.
"""

from __future__ import annotations

from yiwang.datahub.tests.e2e.conftest import sign_in  # noqa: F401 - the fixture, shared
