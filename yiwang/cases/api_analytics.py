"""The cases API: analytics."""

from __future__ import annotations

from ninja import Router

router = Router()
