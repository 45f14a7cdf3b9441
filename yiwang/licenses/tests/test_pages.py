"""The licenses' pages: who may open and do what on every route, and what each page does — the public verification
(valid, revoked, expired, forged; by identifier and by file), 证照夹 and its downloads, 免提交 with consent, the
clerk's opening of a shared license, and the console's license types, seals and revocation.

The license, its type, seal, item and people are those of conftest.py (`licensing`); the agent acts for an
enterprise that holds a license of a second type, issued directly.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from freezegun import freeze_time

from yiwang.conftest import Accounts, City, sign_in, url_routes
from yiwang.core.crypto import sm3_hex
from yiwang.licenses import selectors, services
from yiwang.licenses.identifiers import compose_identifier, new_serial
from yiwang.licenses.models import License, LicenseType, LicenseUse, Seal
from yiwang.licenses.tests.conftest import Licensing, issued, license_type_input
from yiwang.org.selectors import department_get
from yiwang.services.applications import services as application_services
from yiwang.services.applications.selectors import application_detail, application_license_materials

pytestmark = pytest.mark.django_db
OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT = 200, 302, 400, 403, 404, 405, 409

# "citizen" holds the license; "agent" acts for an enterprise holding another; "staff" is a clerk of the issuing
# (and handling) department 市场监督管理局, "staff_other" a clerk of 民政局; "approver" and "item_admin" are
# 市场监督管理局's, "admin" the platform administrator.
ROLES = ["anonymous", "citizen", "agent", "staff", "staff_other", "approver", "item_admin", "admin"]
ENTERPRISE_TYPE = "11100000000013338W002"
FILE = object()  # in a body of the matrix: the holder's license file, uploaded


def row(*codes: int) -> dict[str, int]:
    """The expected status code per role, in the order of ROLES."""
    return dict(zip(ROLES, codes, strict=True))


@pytest.fixture
def setting(licensing: Licensing, accounts: Accounts, city: City, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """The licenses, applications and seals the pages act on; uploads go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    license = issued(licensing)
    services.license_type_save(
        actor=licensing.admin,
        data=license_type_input(
            licensing.market, code=ENTERPRISE_TYPE, name="食品经营许可证", holder_kind="enterprise"
        ),
    )
    enterprise_license = services.license_issue_direct(
        actor=licensing.admin,
        type_code=ENTERPRISE_TYPE,
        enterprise_id=accounts.enterprise_id,
        elements={"shop_name": "明湖示范贸易有限公司", "scope": "预包装食品销售"},
    )
    task_code = licensing.reuse_item.item.task_code
    draft = application_services.application_draft_save(actor=licensing.applicant, task_code=task_code, form_data={})
    submitted = application_services.application_draft_save(
        actor=licensing.applicant, task_code=task_code, form_data={}
    )
    material_id = application_license_materials(actor=licensing.applicant, application_id=submitted.pk)[0].material_id
    services.license_share(
        actor=licensing.applicant, application_id=submitted.pk, material_id=material_id, identifier=license.identifier
    )
    submitted = application_services.application_submit(actor=licensing.applicant, application_id=submitted.pk)
    other_seal = services.seal_create(actor=licensing.admin, data=services.SealInput(department_id=city.civil_affairs))
    return {
        "license": license.identifier,
        "enterprise_license": enterprise_license.identifier,
        "draft": draft.pk,
        "submitted": submitted.pk,
        "submitted_number": submitted.number,
        "material": material_id,
        "seal": licensing.seal.pk,
        "seal_id": licensing.seal.seal_id,
        "other_seal": other_seal.pk,
        "type": licensing.license_type.code,
        "people": {
            "citizen": licensing.applicant,
            "agent": accounts.agent,
            "staff": licensing.clerk,
            "staff_other": accounts.staff_other,
            "approver": licensing.approver,
            "item_admin": licensing.item_admin,
            "admin": licensing.admin,
        },
    }


@pytest.fixture
def clients(setting: dict[str, Any]) -> Callable[[str], Client]:
    """`clients(role)`: a test client signed in as that role (none for "anonymous"), reading English pages."""

    def make(role: str) -> Client:
        client = Client()
        client.cookies["yiwang_language"] = "en"  # assertions read the English source strings
        return client if role == "anonymous" else sign_in(client, setting["people"][role])

    return make


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


def license_file(identifier: str) -> bytes:
    return str(License.objects.get(identifier=identifier).document).encode()


# --- who may open and do what ---------------------------------------------------------------------------------

EVERYONE = row(*[OK] * 8)
CITIZENS = row(REDIRECT, OK, OK, *[FORBIDDEN] * 5)
HOLDER = row(REDIRECT, OK, NOT_FOUND, *[FORBIDDEN] * 5)
ENTERPRISE_HOLDER = row(REDIRECT, NOT_FOUND, OK, *[FORBIDDEN] * 5)
CONSOLE = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
TYPES = row(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
ADMIN = row(REDIRECT, *[FORBIDDEN] * 6, OK)
REVOKERS = row(REDIRECT, *[FORBIDDEN] * 4, REDIRECT, FORBIDDEN, REDIRECT)
# The handling department's staff and the platform's administrators; another department does not see the case.
CASE = row(REDIRECT, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND, OK, OK, OK)
VALID_TYPE = {
    "code": "11100000000013338W003",
    "name": "小餐饮登记证",
    "department": "{market}",
    "holder_kind": "person",
    "elements": "shop_name,名称,yes\nscope,经营范围,no",
    "validity_years": "3",
    "active": "on",
}


def only(roles: dict[str, int], code: int, *names: str) -> dict[str, int]:
    """`roles` with `code` for the roles named."""
    return roles | dict.fromkeys(names, code)


SEAL_CHANGE = only(CONSOLE, FORBIDDEN, "approver", "item_admin")  # platform administrators only


def admin_gets(code: int) -> dict[str, int]:
    """The platform administrator gets `code`; the others as for making a seal."""
    return ADMIN | {"admin": code}


CASE_MISSING = only(CASE, NOT_FOUND, "staff", "approver", "item_admin", "admin")


def revokers(code: int) -> dict[str, int]:
    """The revokers (the approver, the platform administrator) get `code`; the others as for a revocation."""
    return only(REVOKERS, code, "approver", "admin")


PAGES: dict[str, list[tuple[Any, ...]]] = {
    "verify/": [
        ("get", "/verify/", None, EVERYONE),
        ("get", "/verify/?identifier={license}", None, row(*[REDIRECT] * 8)),
        ("get", "/verify/?identifier=", None, row(*[BAD] * 8)),
        ("post", "/verify/", {"file": FILE}, EVERYONE),
        ("post", "/verify/", {}, row(*[BAD] * 8)),
    ],
    "verify/<str:identifier>": [
        ("get", "/verify/{license}", None, EVERYONE),
        ("get", "/verify/1.2.156.3005.2.NOT-AN-IDENTIFIER", None, EVERYONE),
        ("post", "/verify/{license}", {}, row(*[NOT_ALLOWED] * 8)),
    ],
    "licenses/seals.json": [("get", "/licenses/seals.json", None, EVERYONE)],
    "licenses/seals/<str:seal_id>.png": [
        ("get", "/licenses/seals/{seal_id}.png", None, EVERYONE),
        ("get", "/licenses/seals/0000000000000.png", None, row(*[NOT_FOUND] * 8)),
    ],
    "my/licenses/": [("get", "/my/licenses/", None, CITIZENS)],
    "my/licenses/<str:identifier>/": [
        ("get", "/my/licenses/{license}/", None, HOLDER),
        ("get", "/my/licenses/{enterprise_license}/", None, ENTERPRISE_HOLDER),
        ("get", "/my/licenses/1.2.156.3005.2.NONE/", None, only(HOLDER, NOT_FOUND, "citizen")),
    ],
    "my/licenses/<str:identifier>/pdf": [
        ("get", "/my/licenses/{license}/pdf", None, HOLDER),
        ("get", "/my/licenses/{enterprise_license}/pdf", None, ENTERPRISE_HOLDER),
    ],
    "my/licenses/<str:identifier>/file": [
        ("get", "/my/licenses/{license}/file", None, HOLDER),
        ("get", "/my/licenses/{enterprise_license}/file", None, ENTERPRISE_HOLDER),
    ],
    "my/licenses/share/<int:application_id>/": [
        ("get", "/my/licenses/share/{draft}/", None, HOLDER),
        ("get", "/my/licenses/share/999999/", None, only(HOLDER, NOT_FOUND, "citizen")),
        (
            "post",
            "/my/licenses/share/{draft}/",
            {"material_id": "{material}", "identifier": "{license}", "consent": "on"},
            only(HOLDER, REDIRECT, "citizen"),
        ),
        (
            "post",
            "/my/licenses/share/{draft}/",
            {"material_id": "{material}", "identifier": "{license}"},
            only(HOLDER, BAD, "citizen"),
        ),
        (
            "post",
            "/my/licenses/share/{submitted}/",
            {"material_id": "{material}", "identifier": "{license}", "consent": "on"},
            only(HOLDER, CONFLICT, "citizen"),
        ),
    ],
    "console/licenses/": [
        ("get", "/console/licenses/", None, CONSOLE),
        ("post", "/console/licenses/", {}, only(CONSOLE, NOT_ALLOWED, "approver", "item_admin", "admin")),
    ],
    "console/licenses/types/new/": [
        ("get", "/console/licenses/types/new/", None, TYPES),
        ("post", "/console/licenses/types/new/", VALID_TYPE, only(TYPES, REDIRECT, "item_admin", "admin")),
        ("post", "/console/licenses/types/new/", {}, only(TYPES, BAD, "item_admin", "admin")),
    ],
    "console/licenses/types/<str:code>/": [
        ("get", "/console/licenses/types/{type}/", None, TYPES),
        ("get", "/console/licenses/types/11100000000013338W009/", None, only(TYPES, NOT_FOUND, "item_admin", "admin")),
        (
            "post",
            "/console/licenses/types/{type}/",
            VALID_TYPE | {"name": "个体工商户营业执照（新版）"},
            only(TYPES, REDIRECT, "item_admin", "admin"),
        ),
    ],
    "console/licenses/seals/new/": [
        ("get", "/console/licenses/seals/new/", None, ADMIN),
        ("post", "/console/licenses/seals/new/", {"department": "{market}", "valid_years": "5"}, admin_gets(REDIRECT)),
        ("post", "/console/licenses/seals/new/", {"valid_years": "50"}, admin_gets(BAD)),
    ],
    "console/licenses/seals/<int:seal_pk>/": [
        ("get", "/console/licenses/seals/{seal}/", None, CONSOLE),
        ("get", "/console/licenses/seals/{other_seal}/", None, only(CONSOLE, NOT_FOUND, "approver", "item_admin")),
        ("get", "/console/licenses/seals/999999/", None, only(CONSOLE, NOT_FOUND, "approver", "item_admin", "admin")),
        (
            "post",
            "/console/licenses/seals/{seal}/",
            {"status-action": "suspend", "status-reason": "密钥保管人员变更"},
            SEAL_CHANGE | {"admin": REDIRECT},
        ),
        ("post", "/console/licenses/seals/{seal}/", {"status-action": "suspend"}, SEAL_CHANGE | {"admin": BAD}),
    ],
    "console/licenses/issued/<str:identifier>/revoke/": [
        ("post", "/console/licenses/issued/{license}/revoke/", {"reason": "以欺骗手段取得"}, REVOKERS),
        ("post", "/console/licenses/issued/{license}/revoke/", {}, revokers(BAD)),
        ("post", "/console/licenses/issued/1.2.156.3005.2.NONE/revoke/", {"reason": "x"}, revokers(NOT_FOUND)),
        ("get", "/console/licenses/issued/{license}/revoke/", None, revokers(NOT_ALLOWED)),
    ],
    "console/licenses/case/<int:application_id>/<str:identifier>/": [
        ("get", "/console/licenses/case/{submitted}/{license}/", None, CASE),
        ("get", "/console/licenses/case/{submitted}/{license}/?format=pdf", None, CASE),
        ("get", "/console/licenses/case/{submitted}/{enterprise_license}/", None, CASE_MISSING),
        ("get", "/console/licenses/case/{draft}/{license}/", None, CASE_MISSING),
    ],
}  # fmt: skip
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]
OWN_ROUTES = ("verify/", "licenses/", "my/licenses/", "console/licenses/")


def test_every_licenses_route_is_in_the_matrix():
    assert {route for route in url_routes() if route.startswith(OWN_ROUTES)} == set(PAGES)


def _fill(value: str, setting: dict[str, Any], market: int, **more: Any) -> str:
    return value.format(**{key: item for key, item in setting.items() if key != "people"}, market=market, **more)


def _fill_all(body: dict[str, str], setting: dict[str, Any], market: int, **more: Any) -> dict[str, str]:
    return {name: _fill(value, setting, market, **more) for name, value in body.items()}


@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, setting, licensing, route, index):
    """Each role in turn, each in a savepoint rolled back after its request: every role meets the same state (the
    setting is costly to build: seals, issuance, a shared license's PDF)."""
    method, path, body, expected = PAGES[route][index]
    path = _fill(path, setting, licensing.market)
    answered = {}
    for role in ROLES:
        with transaction.atomic():
            client = clients(role)
            if method == "get":
                response = client.get(path)
            else:
                data = {
                    name: SimpleUploadedFile("license.json", license_file(setting["license"]))
                    if value is FILE
                    else _fill(value, setting, licensing.market)
                    for name, value in (body or {}).items()
                }
                response = client.post(path, data)
            answered[role] = response.status_code
            transaction.set_rollback(True)
    assert answered == expected, (method, path)


# --- the public verification ----------------------------------------------------------------------------------


def _verdict(page: str) -> tuple[str, list[str]]:
    """The verdict's status and the codes of its reasons."""
    status = re.search(r'data-testid="verdict" data-status="(\w+)"', page)
    assert status is not None, page
    return status.group(1), re.findall(r'<li data-code="(\w+)"', page)


def test_a_valid_license_shows_its_masked_data_seal_and_the_directory_link(clients, setting, licensing):
    page = main(clients("anonymous").get(f"/verify/{setting['license']}"))
    assert _verdict(page) == ("valid", [])
    assert '<span class="verdict__mark" aria-hidden="true">✓</span> Valid</h2>' in page  # words, not colour alone
    public = page[page.index('data-testid="public-license"') :]
    assert "<dd>王*明</dd>" in public and "王小明" not in page  # the holder's name and ID number are masked
    assert licensing.applicant.id_number not in page
    assert "<dd>个体工商户营业执照</dd>" in public and "<dd>明湖市市场监督管理局</dd>" in public
    assert f'<img src="/licenses/seals/{setting["seal_id"]}.png"' in page
    assert 'href="/licenses/seals.json"' in page


def test_a_revoked_license_says_so_with_the_reason(clients, setting, licensing):
    services.license_revoke(actor=licensing.approver, identifier=setting["license"], reason="以欺骗手段取得登记")
    page = main(clients("anonymous").get(f"/verify/{setting['license']}"))
    assert _verdict(page) == ("revoked", ["license_revoked"])
    assert "Revoked</h2>" in page and "以欺骗手段取得登记" in page
    assert 'data-testid="public-license"' in page  # not forged: what it says is still shown


def test_an_expired_license_says_when_it_expired(clients, setting):
    license = License.objects.get(identifier=setting["license"])
    assert license.valid_until is not None
    with freeze_time(license.valid_until + datetime.timedelta(days=10)):
        page = main(clients("anonymous").get(f"/verify/{license.identifier}"))
    assert _verdict(page) == ("expired", ["license_expired"])
    assert f"The license expired on {license.valid_until.isoformat()}." in page


def test_an_unknown_identifier_is_forged_and_a_malformed_one_names_its_wrong_part(clients, setting, licensing):
    market = department_get(department_id=licensing.market)
    assert market is not None
    unknown = str(compose_identifier(licensing.license_type.code, market.credit_code, new_serial()))
    response = clients("anonymous").get(f"/verify/{unknown}")
    assert response.status_code == OK
    page = main(response)
    assert _verdict(page) == ("forged", ["license_unknown"])
    assert "Forged or unknown</h2>" in page and 'data-testid="public-license"' not in page
    assert "The platform has issued no license with this identifier." in page

    wrong_check = unknown[:-1] + ("A" if unknown[-1] != "A" else "B")
    response = clients("anonymous").get(f"/verify/{wrong_check}")
    assert response.status_code == OK
    assert _verdict(main(response)) == ("forged", ["identifier_check"])
    assert "The check character is" in main(response)

    response = clients("anonymous").get("/verify/1.2.156.3005.2.11100000000013338W001.NOT-A-CODE.ABC.001.X")
    assert response.status_code == OK
    page = main(response)
    assert _verdict(page) == ("forged", ["identifier_issuer"])
    assert "The issuer code is not a unified social credit code" in page


def test_the_form_sends_an_identifier_to_its_page(clients, setting):
    response = clients("anonymous").get("/verify/", {"identifier": f"  {setting['license']} "})
    assert response.status_code == REDIRECT and response["Location"] == f"/verify/{setting['license']}"
    refused = clients("anonymous").get("/verify/", {"identifier": ""})
    assert refused.status_code == BAD
    assert 'id="id_identifier_error"' in main(refused) and "Type the license identifier." in main(refused)


def _upload(client: Client, content: bytes, name: str = "license.json") -> Any:
    return client.post("/verify/", {"file": SimpleUploadedFile(name, content, content_type="application/json")})


def test_a_license_file_is_verified_and_an_altered_one_is_forged(clients, setting):
    client = clients("anonymous")
    original = license_file(setting["license"])
    response = _upload(client, original)
    assert response.status_code == OK
    assert _verdict(main(response)) == ("valid", [])

    altered = json.loads(original)
    altered["license"]["elements"]["scope"] = "小吃服务；预包装食品销售；烟草制品零售"
    response = _upload(client, json.dumps(altered, ensure_ascii=False).encode())
    assert response.status_code == OK
    status, codes = _verdict(main(response))
    assert status == "forged" and "data_altered" in codes
    assert "The license data differ from the data the seal signed: it was altered." in main(response)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "The license file is not UTF-8 text."),
        (b"a scan of my licence", "The license file is not JSON"),
        (b'{"licence": {}}', "A license file is a JSON object"),
        (b"", "The file is empty."),
    ],
)
def test_what_is_not_a_license_file_is_a_form_error_not_a_crash(clients, setting, content, message):
    response = _upload(clients("anonymous"), content, "scan.pdf")
    assert response.status_code == BAD
    page = main(response)
    assert 'id="id_file_error"' in page and message in page
    assert 'data-testid="verdict"' not in page


def test_the_seal_directory_and_picture_download(clients, setting):
    directory = clients("anonymous").get("/licenses/seals.json")
    assert directory["Content-Type"] == "application/json"
    assert directory["Content-Disposition"] == 'attachment; filename="seals.json"'
    seal_ids = [seal["seal_id"] for seal in json.loads(directory.content)["seals"]]
    assert setting["seal_id"] in seal_ids
    picture = clients("anonymous").get(f"/licenses/seals/{setting['seal_id']}.png")
    assert picture["Content-Type"] == "image/png" and picture.content.startswith(b"\x89PNG")


def test_the_home_page_links_to_the_verification(clients, setting):
    assert 'href="/verify/"' in main(clients("anonymous").get("/"))
    assert 'href="/my/licenses/"' in main(clients("citizen").get("/"))


# --- 证照夹 -------------------------------------------------------------------------------------------------------


def test_the_wallet_shows_ones_own_licenses_only(clients, setting):
    mine = main(clients("citizen").get("/my/licenses/"))
    assert re.findall(r'data-testid="license" data-identifier="([^"]+)"', mine) == [setting["license"]]
    assert 'data-testid="state" data-status="valid"' in mine and "<td>You</td>" in mine
    assert f'href="/my/licenses/{setting["license"]}/"' in mine

    agent = main(clients("agent").get("/my/licenses/"))
    assert re.findall(r'data-testid="license" data-identifier="([^"]+)"', agent) == [setting["enterprise_license"]]
    assert "<td>明湖示范贸易有限公司</td>" in agent and setting["license"] not in agent


def test_the_wallet_shows_a_revoked_and_an_expired_license_as_such(clients, setting, licensing):
    services.license_revoke(actor=licensing.approver, identifier=setting["license"], reason="吊销")
    assert 'data-status="revoked"' in main(clients("citizen").get("/my/licenses/"))
    license = License.objects.get(identifier=setting["enterprise_license"])
    assert license.valid_until is not None
    with freeze_time(license.valid_until + datetime.timedelta(days=1)):
        assert 'data-status="expired"' in main(clients("agent").get("/my/licenses/"))


def test_a_license_page_shows_its_data_downloads_and_verification_link(clients, setting):
    identifier = setting["license"]
    page = main(clients("citizen").get(f"/my/licenses/{identifier}/"))
    rows = page[page.index('data-testid="rows"') :]
    assert "<dt>Holder</dt><dd>王小明</dd>" in rows and "<dt>经营范围</dt><dd>小吃服务；预包装食品销售</dd>" in rows
    assert f'href="/my/licenses/{identifier}/pdf"' in page and f'href="/my/licenses/{identifier}/file"' in page
    assert f'href="/verify/{identifier}" data-testid="verify"' in page


def test_the_pdf_and_the_license_file_download_and_the_file_verifies(clients, setting):
    identifier = setting["license"]
    pdf = clients("citizen").get(f"/my/licenses/{identifier}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="{identifier}.pdf"'
    document = clients("citizen").get(f"/my/licenses/{identifier}/file")
    assert document["Content-Type"] == "application/json"
    assert document["Content-Disposition"] == f'attachment; filename="{identifier}.json"'
    assert selectors.license_verify_file(document.content).status == "valid"


# --- 免提交 -------------------------------------------------------------------------------------------------------


def _share(client: Client, setting: dict[str, Any], **changes: str) -> Any:
    body = {"material_id": str(setting["material"]), "identifier": setting["license"], "consent": "on"} | changes
    return client.post(f"/my/licenses/share/{setting['draft']}/", {k: v for k, v in body.items() if v})


def _current_materials(setting: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The draft's current materials: name, trust level, e-license."""
    draft = application_detail(actor=setting["people"]["citizen"], application_id=setting["draft"])
    return [
        (upload.name, upload.trust_level, upload.license_identifier)
        for upload in draft.materials.filter(superseded_at__isnull=True)
    ]


def test_sharing_needs_the_consent_ticked(clients, setting):
    page = main(clients("citizen").get(f"/my/licenses/share/{setting['draft']}/"))
    assert 'data-testid="share-form"' in page
    assert (
        "I agree that 明湖市市场监督管理局 uses my 个体工商户营业执照 for your draft application for 食品经营许可."
        in page
    )
    assert f'value="{setting["license"]}"' in page and "checked" in page  # the one license fitting is preselected

    refused = _share(clients("citizen"), setting, consent="")
    assert refused.status_code == BAD
    assert "Tick the box to agree: without your consent nothing is shared." in main(refused)
    assert _current_materials(setting) == []
    assert not LicenseUse.objects.filter(application_id=setting["draft"]).exists()


def test_a_license_that_does_not_fit_is_refused_at_the_field(clients, setting):
    refused = _share(clients("citizen"), setting, identifier=setting["enterprise_license"])
    assert refused.status_code == BAD
    assert 'id="id_share-{}-identifier_error"'.format(setting["material"]) in main(refused)
    assert _current_materials(setting) == []


def test_a_shared_license_is_attached_as_trust_level_a_and_recorded(clients, setting, licensing):
    client = clients("citizen")
    application_page = main(client.get(f"/my/applications/{setting['draft']}/"))
    assert f'href="/my/licenses/share/{setting["draft"]}/" data-testid="use-licenses"' in application_page

    response = _share(client, setting)
    assert response.status_code == REDIRECT and response["Location"] == f"/my/licenses/share/{setting['draft']}/"
    assert _current_materials(setting) == [("营业执照", "A", setting["license"])]
    use = LicenseUse.objects.get(application_id=setting["draft"])
    assert (use.action, use.license.identifier, use.actor_id) == ("shared", setting["license"], licensing.applicant.pk)

    page = main(client.get(f"/my/licenses/share/{setting['draft']}/"))
    assert f'data-attached="{setting["license"]}"' in page and "trust level A" in page
    assert 'data-testid="license-attached"' in main(client.get(f"/my/applications/{setting['draft']}/"))
    record = main(client.get(f"/my/licenses/{setting['license']}/"))
    uses = re.findall(r'data-testid="use" data-action="(\w+)"', record)
    assert uses == ["shared", "shared"]  # the submitted application's and this one's
    assert "Shared by the holder" in record


# --- the handling department ----------------------------------------------------------------------------------


def test_the_clerk_opens_a_shared_license_and_the_holder_sees_it(clients, setting, licensing):
    case = main(clients("staff").get(f"/console/services/applications/{setting['submitted']}/"))
    materials = case[case.index('data-testid="materials"') :]
    assert 'data-trust="A"' in materials and "A: issued by the government, usable directly" in materials
    link = f"/console/licenses/case/{setting['submitted']}/{setting['license']}/"
    assert f'href="{link}" data-testid="license"' in materials

    page = main(clients("staff").get(link))
    seal = licensing.seal.name
    assert f"Verified just now: Valid, issued by 明湖市市场监督管理局, seal {seal}." in page
    assert _verdict(page) == ("valid", [])
    assert "<dt>经营范围</dt><dd>小吃服务；预包装食品销售</dd>" in page
    pdf = clients("staff").get(f"{link}?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    viewed = LicenseUse.objects.filter(action="viewed", application_id=setting["submitted"])
    assert viewed.count() == 2  # the page and the PDF
    use = viewed.first()
    assert use is not None
    number = str(setting["submitted_number"])
    assert (use.actor_name, use.department_name, use.case_ref) == ("窗口甲", "明湖市市场监督管理局", number)
    record = main(clients("citizen").get(f"/my/licenses/{setting['license']}/"))
    assert "Opened by the handling department" in record and "<td>窗口甲</td>" in record
    assert f"<td>{number}</td>" in record


# --- the console ----------------------------------------------------------------------------------------------


def test_an_item_administrator_creates_a_license_type(clients, setting, licensing):
    body = _fill_all(VALID_TYPE, setting, licensing.market)
    response = clients("item_admin").post("/console/licenses/types/new/", body)
    assert response.status_code == REDIRECT and response["Location"] == "/console/licenses/"
    created = LicenseType.objects.get(code="11100000000013338W003")
    assert (created.name, created.department_id, created.validity_years) == ("小餐饮登记证", licensing.market, 3)
    assert created.elements == [
        {"code": "shop_name", "name": "名称", "required": True},
        {"code": "scope", "name": "经营范围", "required": False},
    ]
    overview = main(clients("item_admin").get("/console/licenses/"))
    assert 'data-code="11100000000013338W003"' in overview
    edit = main(clients("item_admin").get("/console/licenses/types/11100000000013338W003/"))
    assert "shop_name,名称,yes\nscope,经营范围,no" in edit


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "12345"}, "code", "must be 21 characters"),
        ({"name": ""}, "name", "Give the name."),
        ({"elements": "shop_name,名称,yes\nscope 经营范围"}, "elements", "Line 2: write code, name and yes or no"),
        ({"elements": "shop_name,名称,yes\n\nshop_name,名称,no"}, "elements", "Line 3: Element code shop_name appears"),
        ({"elements": "shop name,名称,yes"}, "elements", "Line 1: An element code has up to 40 letters"),
        ({"validity_years": "0"}, "validity_years", "greater than or equal to 1"),
        ({"department": "{civil}"}, "department", "Select a valid choice."),
        ({"seal": "{other_seal}"}, "seal", "The seal must be one of the issuing department"),
    ],
)  # fmt: skip
def test_a_bad_license_type_is_refused_at_its_field(clients, setting, licensing, city, changes, field, message):
    body = _fill_all(VALID_TYPE | changes, setting, licensing.market, civil=city.civil_affairs)
    role = "admin" if field == "seal" else "item_admin"  # the item administrator is not offered another's seal
    response = clients(role).post("/console/licenses/types/new/", body)
    assert response.status_code == BAD
    page = main(response)
    error = re.search(rf'<p class="field-error" id="id_{field}_error">(.*?)</p>', page, re.S)
    assert error is not None and message in error.group(1), page
    assert not LicenseType.objects.filter(code="11100000000013338W003").exists()


def test_the_platform_administrator_makes_a_seal_and_changes_its_status(clients, setting, licensing, city):
    admin = clients("admin")
    refused = admin.post("/console/licenses/seals/new/", {"department": "", "valid_years": "11"})
    assert refused.status_code == BAD
    assert 'id="id_department_error"' in main(refused) and 'id="id_valid_years_error"' in main(refused)

    made = admin.post(
        "/console/licenses/seals/new/",
        {"department": str(city.civil_affairs), "purpose": "行政审批专用章", "valid_years": "3"},
    )
    assert made.status_code == REDIRECT
    seal = Seal.objects.get(department_id=city.civil_affairs, purpose="行政审批专用章")
    assert made["Location"] == f"/console/licenses/seals/{seal.pk}/"
    page = main(admin.get(made["Location"]))
    assert sm3_hex(bytes(seal.certificate)) in page and f"<code>{seal.seal_id}</code>" in page
    assert f'src="/licenses/seals/{seal.seal_id}.png"' in page and 'data-status="active"' in page

    path = f"/console/licenses/seals/{seal.pk}/"
    no_reason = admin.post(path, {"status-action": "suspend", "status-reason": " "})
    assert no_reason.status_code == BAD and 'id="id_status-reason_error"' in main(no_reason)
    for action, status in (("suspend", "suspended"), ("reinstate", "active"), ("revoke", "revoked")):
        response = admin.post(path, {"status-action": action, "status-reason": f"{action} 测试"})
        assert response.status_code == REDIRECT, main(response)
        seal.refresh_from_db()
        assert seal.status == status
    conflict = admin.post(path, {"status-action": "reinstate", "status-reason": "误操作"})
    assert conflict.status_code == CONFLICT
    assert "A seal that is Revoked cannot be changed this way." in main(conflict)
    assert 'data-status="revoked"' in main(conflict)


def test_an_approver_revokes_a_license_from_the_console(clients, setting):
    approver = clients("approver")
    overview = main(approver.get("/console/licenses/"))
    assert f'data-identifier="{setting["license"]}"' in overview and 'data-testid="types"' not in overview
    path = f"/console/licenses/issued/{setting['license']}/revoke/"
    refused = approver.post(path, {"reason": ""})
    assert refused.status_code == BAD and "Give the reason." in main(refused)
    assert approver.post(path, {"reason": "以欺骗手段取得登记"}).status_code == REDIRECT
    assert License.objects.get(identifier=setting["license"]).status == "revoked"
    again = approver.post(path, {"reason": "再次"})
    assert again.status_code == CONFLICT and "The license is already revoked." in main(again)
    assert _verdict(main(clients("anonymous").get(f"/verify/{setting['license']}")))[0] == "revoked"
