"""`yiwang licenses verify FILE --seals SEALS.json`: check a license file offline, with nothing but the seal
directory the platform publishes (no database: a bank or a notary runs it on its own machine);
`yiwang licenses export-seals FILE`: write that directory; `yiwang licenses issue-pending`: issue the licenses of
approved applications still without one (what the worker does every five minutes)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yiwang.licenses.documents import LicenseFileError, Status, read_seal_directory, verify_license_file

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {what} {path}: {error.strerror}", returncode=EXIT_UNREADABLE) from error


class Command(BaseCommand):
    help = "E-licenses: verify a license file offline, export the seal directory, issue pending licenses."
    # A verifier at a bank runs this with no database, URLs or API to check: the system checks would load them all.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verifying = sub.add_parser(
            "verify",
            help="check a license file against the published seal directory, without the platform's database; "
            "exit 0 when valid, 1 when revoked, expired or forged, 2 when a file cannot be read",
        )
        verifying.add_argument("file", help="the license file (.json) its holder downloaded")
        verifying.add_argument("--seals", required=True, help="the seal directory (seals.json) from the portal")
        verifying.add_argument(
            "--maker", default="", help="the seal maker's certificate fingerprint (SM3, hex) the city announces"
        )
        verifying.add_argument("--at", default="", help="judge expiry on this day (YYYY-MM-DD); default today")
        verifying.add_argument("--json", action="store_true", help="print the verdict as JSON")
        exporting = sub.add_parser("export-seals", help="write the published seal directory (seals.json)")
        exporting.add_argument("file", help="where to write it")
        sub.add_parser("issue-pending", help="issue the licenses of approved applications still without one")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify(options)
        elif action == "export-seals":
            from yiwang.licenses.selectors import seal_directory_file

            Path(options["file"]).write_bytes(seal_directory_file())
            self.stdout.write(f"written {options['file']}")
        else:
            from yiwang.licenses.services import licenses_issue_pending

            issued = licenses_issue_pending()
            self.stdout.write(f"issued {len(issued)} license(s)")
            for identifier in issued:
                self.stdout.write(identifier)

    def _verify(self, options: dict[str, Any]) -> None:
        today = timezone.localdate()
        if options["at"]:
            try:
                today = datetime.date.fromisoformat(options["at"])
            except ValueError:
                raise CommandError("--at must be a date written YYYY-MM-DD", returncode=EXIT_UNREADABLE) from None
        seals = _read(Path(options["seals"]), "the seal directory")
        document = _read(Path(options["file"]), "the license file")
        try:
            directory = read_seal_directory(seals, maker_fingerprint=options["maker"] or None)
            verdict = verify_license_file(document, directory, today=today)
        except LicenseFileError as error:
            raise CommandError(str(error.message), returncode=EXIT_UNREADABLE) from None
        if options["json"]:
            self.stdout.write(
                json.dumps({**verdict.as_json(), "maker_fingerprint": directory.maker_fingerprint}, ensure_ascii=False)
            )
        else:
            self.stdout.write(f"{verdict.status.value.upper()}: {verdict.identifier}")
            data = verdict.data or {}
            self.stdout.write(f"  type: {(data.get('type') or {}).get('name', '')}")
            self.stdout.write(f"  issuer: {(data.get('issuer') or {}).get('name', '')}")
            self.stdout.write(f"  seal: {verdict.seal_id} {verdict.seal_name}")
            self.stdout.write(f"  signed at: {verdict.signed_at.isoformat() if verdict.signed_at else '-'}")
            self.stdout.write(f"  valid until: {data.get('valid_until') or 'no time limit'}")
            for finding in verdict.findings:
                self.stdout.write(f"  - {finding.code}: {finding.message}")
            self.stdout.write(f"  seal maker fingerprint (SM3): {directory.maker_fingerprint}")
        if verdict.status != Status.VALID:
            raise SystemExit(EXIT_INVALID)
