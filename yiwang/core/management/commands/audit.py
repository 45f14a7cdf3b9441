"""`yiwang audit verify`: recompute the audit hash chains; exit non-zero naming the first break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's SM3 hash chains."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("verify", help="exit 0 when every chain is intact, 1 naming the first break")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_chain_verify()
        if result.intact:
            self.stdout.write(f"audit log intact: {result.events_checked} events in {result.lanes_checked} chains")
            return
        first = result.first_break
        assert first is not None
        for item in result.breaks:
            self.stderr.write("chain broken at " + item.describe())
        raise CommandError(f"audit log broken; first break at {first.describe()}")
