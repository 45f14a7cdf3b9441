"""The cases API under /api/v1/cases/: one router per area, mounted here."""

from __future__ import annotations

from ninja import Router

from yiwang.cases import api_analytics, api_cases, api_catalogue, api_knowledge

router = Router(tags=["cases"])
router.add_router("/knowledge", api_knowledge.router)
router.add_router("/catalogue", api_catalogue.router)
router.add_router("/analytics", api_analytics.router)
router.add_router("", api_cases.router)
