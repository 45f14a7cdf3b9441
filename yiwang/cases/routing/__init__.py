"""Case routing (ADR 0021): a model that reads a case's text and proposes the unit and category, top three with
confidence. It starts from the dispatch catalogue and the units' responsibility lists (cold start) and learns from
what dispatchers finally chose; `router_train` refits it, `route`/`route_many` ask it, `router_evaluate` measures it.
"""

from __future__ import annotations

from yiwang.cases.routing.evaluation import Evaluation, read_evaluation_csv, router_evaluate
from yiwang.cases.routing.service import CategoryScore, RouteProposal, UnitScore, route, route_many
from yiwang.cases.routing.store import RouterModelRefused, forget_loaded_model
from yiwang.cases.routing.training import router_train

__all__ = [
    "CategoryScore",
    "Evaluation",
    "RouteProposal",
    "RouterModelRefused",
    "UnitScore",
    "forget_loaded_model",
    "read_evaluation_csv",
    "route",
    "route_many",
    "router_evaluate",
    "router_train",
]
