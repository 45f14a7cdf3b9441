"""Pages of the cases app: the knowledge base (知识库) in the console and on the portal."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.cases.views import knowledge

CONSOLE = "console/cases/knowledge/"
PORTAL = "hotline/knowledge/"

urlpatterns: list[URLPattern] = [
    path(CONSOLE, knowledge.console, name="knowledge_console"),
    path(f"{CONSOLE}hits/", knowledge.hits, name="knowledge_hits"),
    path(f"{CONSOLE}new/", knowledge.new, name="knowledge_new"),
    path(f"{CONSOLE}<int:article_id>/", knowledge.detail, name="knowledge_detail"),
    path(f"{CONSOLE}<int:article_id>/edit/", knowledge.edit, name="knowledge_edit"),
    path(f"{CONSOLE}<int:article_id>/withdraw/", knowledge.withdraw, name="knowledge_withdraw"),
    path(f"{CONSOLE}<int:article_id>/republish/", knowledge.republish, name="knowledge_republish"),
    path(PORTAL, knowledge.public_search, name="knowledge_public"),
    path(f"{PORTAL}<int:article_id>/", knowledge.public_article, name="knowledge_public_article"),
]
