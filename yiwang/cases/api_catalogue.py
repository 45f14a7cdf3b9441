"""The cases API: catalogue."""

from __future__ import annotations

from ninja import Router

router = Router()
