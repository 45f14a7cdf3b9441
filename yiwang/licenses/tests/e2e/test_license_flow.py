"""The holder opens 证照夹, opens a license and downloads its PDF, follows the link to the public verification
page, then uses the license for a draft application (免提交), agreeing and submitting with the keyboard alone.

As the services' browser tests do, these look at structure (test ids, data attributes, URLs) and at the data, not
at UI wording: the interface's source strings are English and its Chinese catalogue may lag behind. The license,
its holder and the item asking for it are those of yiwang/licenses/tests/conftest.py (`licensing`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from yiwang.conftest import focus_by_tab
from yiwang.licenses.tests.conftest import Licensing, issued
from yiwang.services.applications import services as application_services
from yiwang.services.applications.selectors import application_license_materials
from yiwang.services.tests.e2e.test_apply import citizen_signs_in

VALID = re.compile(r"有效|Valid")


@pytest.fixture
def holder(licensing: Licensing, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """The applicant's license, and a draft of the item asking for it as a material; uploads under tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    license = issued(licensing)
    draft = application_services.application_draft_save(
        actor=licensing.applicant, task_code=licensing.reuse_item.item.task_code, form_data={}
    )
    return {"identifier": license.identifier, "draft": draft.pk}


def test_the_holder_downloads_verifies_and_shares_a_license(live_server, page, licensing, holder):
    identifier = holder["identifier"]
    citizen_signs_in(page, live_server.url, licensing.applicant, "/my/licenses/")
    row = page.locator(f"[data-testid=license][data-identifier='{identifier}']")
    expect(row.locator("[data-testid=state]")).to_have_attribute("data-status", "valid")
    row.locator("th a").click()
    page.wait_for_url(f"{live_server.url}/my/licenses/{identifier}/")
    expect(page.locator("main h1")).to_have_text("个体工商户营业执照")
    expect(page.locator("[data-testid=rows]")).to_contain_text("小吃服务；预包装食品销售")

    with page.expect_download() as downloading:
        page.click("[data-testid=pdf]")
    download = downloading.value
    assert download.suggested_filename == f"{identifier}.pdf"
    assert Path(download.path()).read_bytes()[:4] == b"%PDF"

    page.click("[data-testid=verify]")
    page.wait_for_url(f"{live_server.url}/verify/{identifier}")
    verdict = page.locator("[data-testid=verdict]")
    expect(verdict).to_have_attribute("data-status", "valid")
    expect(verdict.locator("h2")).to_have_text(VALID)
    expect(page.locator("[data-testid=public-license]")).to_contain_text("王*明")

    # 免提交: from the draft's page to the licenses it may use, then agree and submit by keyboard alone
    page.goto(f"{live_server.url}/my/applications/{holder['draft']}/")
    page.click("[data-testid=use-licenses]")
    share = f"/my/licenses/share/{holder['draft']}/"
    page.wait_for_url(f"{live_server.url}{share}")
    form = page.locator("[data-testid=share-form]")
    expect(form.locator(f"input[type=radio][value='{identifier}']")).to_be_checked()  # the one license that fits
    consent = form.locator("input[type=checkbox][name=consent]")
    focus_by_tab(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    focus_by_tab(page, form.locator("button[type=submit]"))
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}{share}")
    material = page.locator("[data-testid=material]")
    expect(material).to_have_attribute("data-attached", identifier)
    expect(material.locator("[data-testid=attached]")).to_contain_text(identifier)
    attached = application_license_materials(actor=licensing.applicant, application_id=holder["draft"])
    assert [item.attached_identifier for item in attached] == [identifier]
