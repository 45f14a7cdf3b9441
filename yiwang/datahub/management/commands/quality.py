"""`yiwang quality [--resource SLUG] [--json]`: compute data-quality scores now, for one resource or all."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.core.errors import YiwangError
from yiwang.datahub.quality.selectors import QualityScoreView, quality_resources
from yiwang.datahub.quality.services import quality_compute

_COLUMNS = {
    "completeness": gettext_lazy("completeness"),
    "validity": gettext_lazy("validity"),
    "uniqueness": gettext_lazy("uniqueness"),
    "consistency": gettext_lazy("consistency"),
    "timeliness": gettext_lazy("timeliness"),
    "overall": gettext_lazy("overall"),
}


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


class Command(BaseCommand):
    help = "Compute data-quality scores for one resource, or for every published resource that holds records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resource", help="the resource's slug, e.g. population (default: every resource)")
        parser.add_argument("--json", action="store_true", help="print one JSON array of the scores")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            resource_ids = quality_resources(slug=options["resource"])
            scores: list[QualityScoreView] = []
            for resource_id in resource_ids:
                scores.extend(quality_compute(resource_id=resource_id))
        except YiwangError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps([score.as_json() for score in scores], ensure_ascii=False))
            return
        if not scores:
            self.stdout.write(_("Nothing to score: no published resource holds records."))
            return
        header = [_("resource"), _("source"), *[str(label) for label in _COLUMNS.values()], _("records")]
        lines = [
            [
                score.resource_slug,
                score.source_department or _("(all sources)"),
                *[_cell(getattr(score, name)) for name in _COLUMNS],
                f"{score.records:,}",
            ]
            for score in scores
        ]
        widths = [max(len(str(row[index])) for row in [header, *lines]) for index in range(len(header))]
        for row in [header, *lines]:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        self.stdout.write(_("— : does not apply (nothing to judge it on)."))
