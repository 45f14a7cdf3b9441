"""`yiwang link persons|entities [--resource SLUG …] [--json]`: link records of one person or entity across sources."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yiwang.core.errors import YiwangError
from yiwang.datahub.linking.engine import DEFAULT_MATCH_THRESHOLD, DEFAULT_REVIEW_BAND
from yiwang.datahub.linking.services import link_run


class Command(BaseCommand):
    help = (
        "Link the records of the same person (or enterprise) across the published resources: exactly on a valid "
        "ID number or credit code, with Splink for the rest. Uncertain pairs go to the review queue in the console."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["persons", "entities"])
        parser.add_argument(
            "--resource",
            action="append",
            default=[],
            help="read only this resource (repeat for several; default: every published resource that qualifies)",
        )
        parser.add_argument(
            "--threshold", type=float, default=DEFAULT_MATCH_THRESHOLD, help="match probability to link (0.95)"
        )
        parser.add_argument(
            "--review-from",
            type=float,
            default=DEFAULT_REVIEW_BAND[0],
            help="pairs from this probability up to the threshold go to review (0.5)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object with the run's figures")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("splink").setLevel(logging.WARNING)
        threshold = options["threshold"]
        try:
            run = link_run(
                actor=None,
                kind=options["kind"],
                slugs=options["resource"],
                match_threshold=threshold,
                review_band=(options["review_from"], threshold),
            )
        except YiwangError as error:
            raise CommandError(str(error)) from None
        figures = run.statistics
        by_method = figures.get("members_by_method", {})
        summary = {
            "run": run.pk,
            "kind": run.kind,
            "sources": run.sources,
            "records": figures["records"],
            "clusters": figures["clusters"],
            "linked_exactly": by_method.get("exact", 0),
            "linked_probabilistically": by_method.get("probabilistic", 0),
            "unlinked": by_method.get("unlinked", 0),
            "review_pairs": figures["review_pairs_new"],
            "seconds": round(sum(figures["seconds"].values()), 1),
            "clusters_file": run.members_path,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            _(
                "Run %(run)d: %(records)s records of %(sources)s in %(clusters)s clusters "
                "(%(exact)s linked on their key, %(probabilistic)s by the model, %(unlinked)s alone); "
                "%(review)s pairs to review; %(seconds)s s."
            )
            % {
                "run": run.pk,
                "records": f"{summary['records']:,}",
                "sources": "、".join(run.sources),
                "clusters": f"{summary['clusters']:,}",
                "exact": f"{summary['linked_exactly']:,}",
                "probabilistic": f"{summary['linked_probabilistically']:,}",
                "unlinked": f"{summary['unlinked']:,}",
                "review": f"{summary['review_pairs']:,}",
                "seconds": summary["seconds"],
            }
        )
        self.stdout.write(_("Clusters: %(path)s") % {"path": run.members_path})
