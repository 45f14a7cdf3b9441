"""`yiwang licenses verify FILE --seals SEALS.json`: a bank or a notary checks a license file with the published
seal directory only. The command runs here as its own process whose database cannot be reached at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.licenses import selectors, services
from yiwang.licenses.tests.conftest import Licensing, issued

pytestmark = pytest.mark.django_db

NO_DATABASE = "postgres://nobody@127.0.0.1:9/no_database_here"  # port 9 (discard): nothing answers


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yiwang.config.test_settings", "DATABASE_URL": NO_DATABASE}
    return subprocess.run(
        [sys.executable, "-m", "yiwang.config.cli", "licenses", "verify", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def files(licensing: Licensing, tmp_path: Path) -> dict[str, Any]:
    good = issued(licensing)
    revoked = issued(licensing)
    services.license_revoke(actor=licensing.approver, identifier=revoked.identifier, reason="依法撤回")
    tampered = json.loads(good.document)
    tampered["license"]["holder"]["name"] = "李四"
    paths = {
        "seals": tmp_path / "seals.json",
        "good": tmp_path / "good.json",
        "revoked": tmp_path / "revoked.json",
        "tampered": tmp_path / "tampered.json",
        "garbage": tmp_path / "garbage.json",
    }
    call_command("licenses", "export-seals", str(paths["seals"]))
    paths["good"].write_text(good.document)
    paths["revoked"].write_text(revoked.document)
    paths["tampered"].write_text(json.dumps(tampered, ensure_ascii=False))
    paths["garbage"].write_bytes(b"%PDF-1.7 not a license file")
    return {"paths": {name: str(path) for name, path in paths.items()}, "good": good, "licensing": licensing}


def test_offline_verification_needs_no_database(files: dict[str, Any]) -> None:
    paths = files["paths"]
    valid = _run(paths["good"], "--seals", paths["seals"])
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.startswith(f"VALID: {files['good'].identifier}")
    assert "明湖市市场监督管理局" in valid.stdout
    as_json = _run(paths["good"], "--seals", paths["seals"], "--json")
    verdict = json.loads(as_json.stdout)
    assert verdict["status"] == "valid" and verdict["reasons"] == []
    assert verdict["maker_fingerprint"] == selectors.seal_directory().maker_fingerprint
    pinned = _run(paths["good"], "--seals", paths["seals"], "--maker", verdict["maker_fingerprint"])
    assert pinned.returncode == 0, pinned.stderr


def test_offline_verification_says_why_a_license_is_not_valid(files: dict[str, Any]) -> None:
    paths = files["paths"]
    revoked = _run(paths["revoked"], "--seals", paths["seals"], "--json")
    assert revoked.returncode == 1
    assert [reason["code"] for reason in json.loads(revoked.stdout)["reasons"]] == ["license_revoked"]
    tampered = _run(paths["tampered"], "--seals", paths["seals"])
    assert tampered.returncode == 1 and tampered.stdout.startswith("FORGED")
    assert "data_altered" in tampered.stdout
    valid_until = files["good"].valid_until.isoformat()
    expired = _run(paths["good"], "--seals", paths["seals"], "--at", "2099-01-01")
    assert expired.returncode == 1 and expired.stdout.startswith("EXPIRED")
    assert valid_until in expired.stdout


def test_offline_verification_refuses_what_it_cannot_read(files: dict[str, Any]) -> None:
    paths = files["paths"]
    garbage = _run(paths["garbage"], "--seals", paths["seals"])
    assert garbage.returncode == 2 and "JSON" in garbage.stderr  # in the server's language (Chinese by default)
    for arguments, message in (
        ((paths["good"] + ".missing", "--seals", paths["seals"]), "cannot read the license file"),
        ((paths["good"], "--seals", paths["good"]), "seal directory"),
        ((paths["good"], "--seals", paths["seals"], "--maker", "ab" * 32), "fingerprint"),
        ((paths["good"], "--seals", paths["seals"], "--at", "2026-13-01"), "YYYY-MM-DD"),
    ):
        with pytest.raises(CommandError, match=message) as error:
            call_command("licenses", "verify", *arguments)
        assert error.value.returncode == 2


def test_the_command_in_process_too(files: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    paths = files["paths"]
    call_command("licenses", "verify", paths["good"], "--seals", paths["seals"])
    assert capsys.readouterr().out.startswith("VALID")
    with pytest.raises(SystemExit) as exit_status:
        call_command("licenses", "verify", paths["tampered"], "--seals", paths["seals"])
    assert exit_status.value.code == 1
    with pytest.raises(CommandError):
        call_command("licenses", "verify", paths["garbage"], "--seals", paths["seals"])


def test_issue_pending_from_the_command_line(licensing: Licensing, capsys: pytest.CaptureFixture[str]) -> None:
    from yiwang.licenses.tests.conftest import approve

    application = approve(licensing)
    call_command("licenses", "issue-pending")
    out = capsys.readouterr().out
    assert "issued 1 license(s)" in out
    application.refresh_from_db()
    assert application.result_license in out
