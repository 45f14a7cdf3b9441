"""`yiwang exchange seal-log | verify-log | chase`: the access log's sealer and check, and the daily chase."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.exchange.log import access_log_seal, access_log_verify
from yiwang.exchange.services import access_requests_chase


class Command(BaseCommand):
    help = "Data exchange: seal the access log, verify it, chase late access requests."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        seal = sub.add_parser("seal-log", help="chain and sign the settled entries of the access log")
        seal.add_argument("--settle-seconds", type=int, default=5, help="leave entries younger than this")
        verify = sub.add_parser("verify-log", help="check every seal; exit 1 naming where the log was altered")
        verify.add_argument("--json", action="store_true")
        sub.add_parser("chase", help="remind on due access requests and escalate late ones (run daily)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "seal-log":
            seals = access_log_seal(settle_seconds=max(0, options["settle_seconds"]))
            self.stdout.write(f"{len(seals)} seal(s) made")
        elif action == "verify-log":
            result = access_log_verify()
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "ok": result.ok,
                            "seals": result.seals,
                            "entries": result.entries,
                            "unsealed": result.unsealed,
                            "problems": result.problems,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                self.stdout.write(
                    f"{result.seals} seal(s), {result.entries} sealed entries checked, {result.unsealed} not sealed yet"
                )
                for problem in result.problems:
                    self.stderr.write(problem)
            if not result.ok:
                raise CommandError(f"the access log does not verify: {len(result.problems)} problem(s)", returncode=1)
        else:
            chased = access_requests_chase()
            self.stdout.write(
                f"reminded {len(chased.reminded)}, escalated {len(chased.escalated)}, "
                f"data demands overdue {len(chased.demands_overdue)}"
            )
