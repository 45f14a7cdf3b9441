"""Issuance from applications, once and only once; revocation with the approval; license types; direct issuance;
sharing a license with an application (免提交)."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection
from freezegun import freeze_time

from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.licenses import selectors, services
from yiwang.licenses.documents import read_license_file
from yiwang.licenses.models import License, LicenseStatus, LicenseUse, SealStatus
from yiwang.licenses.tasks import issue_license
from yiwang.licenses.tests.conftest import ANSWERS, Licensing, approve, issued, license_type_input
from yiwang.services.applications import services as application_services
from yiwang.services.applications.selectors import application_exchange_record, application_license_facts
from yiwang.services.catalog.services import item_create
from yiwang.services.tests.factories import item_input

pytestmark = pytest.mark.django_db


def _result_license(application_id: int) -> str:
    facts = application_license_facts(application_id=application_id)
    assert facts is not None
    return facts.result_license


def test_an_approval_issues_the_license_when_it_commits(
    licensing: Licensing, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = approve(licensing)
    license = License.objects.get(application_id=application.pk)
    application.refresh_from_db()
    assert application.result_license == license.identifier
    assert application.events.filter(action="license_issued").count() == 1
    record = application_exchange_record(application)
    assert record["result"]["result_cetr_no"] == license.identifier
    assert record["result"]["result_cetr_name"] == "个体工商户营业执照"
    data = read_license_file(license.document).data
    assert data["holder"] == {"kind": "person", "name": "王小明", "code": licensing.applicant.id_number}
    assert data["elements"] == ANSWERS
    assert data["element_names"]["scope"] == "经营范围"
    assert data["application"] == application.number
    assert data["issuer"]["code"] in license.identifier
    assert license.holder_user_id == licensing.applicant.pk and license.seal_id == licensing.seal.pk
    assert selectors.license_verify_stored(license).status == "valid"
    assert AuditEvent.objects.filter(action="licenses.license.issue", object_id=str(license.pk)).exists()


@freeze_time("2028-02-29T04:00:00Z")
def test_validity_counts_years_from_the_day_of_issue(licensing: Licensing) -> None:
    license = issued(licensing)
    assert license.valid_from == datetime.date(2028, 2, 29)
    assert license.valid_until == datetime.date(2033, 2, 27)  # five years from 29 February: to 27 February


def test_issuing_again_returns_the_same_license(licensing: Licensing) -> None:
    application = approve(licensing)
    first = services.license_issue_for_application(application_id=application.pk)
    assert services.license_issue_for_application(application_id=application.pk) == first
    assert services.licenses_issue_pending() == []
    assert License.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_issue_one_license(licensing: Licensing) -> None:
    application = approve(licensing)
    start = threading.Barrier(3)
    results: list[str] = []

    def issue() -> None:
        try:
            start.wait(timeout=10)
            results.append(services.license_issue_for_application(application_id=application.pk).identifier)
        except Exception as error:
            results.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 3 and len(set(results)) == 1, results
    assert License.objects.filter(application_id=application.pk).count() == 1
    assert _result_license(application.pk) == results[0]


def test_without_a_seal_in_use_issuance_waits_and_the_sweep_issues_later(licensing: Licensing) -> None:
    services.seal_change_status(actor=licensing.admin, seal_pk=licensing.seal.pk, action="suspend", reason="更换")
    application = approve(licensing)
    assert issue_license.call(application.pk) == ""  # logged, not raised: the sweep tries again
    with pytest.raises(ValidationFailed) as error:
        services.license_issue_for_application(application_id=application.pk)
    assert error.value.field == "seal"
    assert services.licenses_issue_pending() == []
    assert not License.objects.exists()
    services.seal_change_status(actor=licensing.admin, seal_pk=licensing.seal.pk, action="reinstate", reason="恢复")
    [identifier] = services.licenses_issue_pending()
    assert _result_license(application.pk) == identifier


def test_a_special_purpose_seal_named_by_the_type_signs_its_licenses(licensing: Licensing) -> None:
    special = services.seal_create(
        actor=licensing.admin, data=services.SealInput(department_id=licensing.market, purpose="行政审批专用章")
    )
    services.license_type_save(actor=licensing.admin, data=license_type_input(licensing.market, seal_pk=special.pk))
    license = issued(licensing)
    assert license.seal_id == special.pk
    verdict = selectors.license_verify_stored(license)
    assert verdict.status == "valid" and verdict.seal_name.endswith("行政审批专用章")
    services.seal_change_status(actor=licensing.admin, seal_pk=special.pk, action="revoke", reason="停用")
    with pytest.raises(ValidationFailed):
        issued(licensing)


def test_refused_and_unapproved_applications_get_no_license(licensing: Licensing) -> None:
    draft = application_services.application_draft_save(
        actor=licensing.applicant, task_code=licensing.item.item.task_code, form_data=ANSWERS
    )
    application_services.application_submit(actor=licensing.applicant, application_id=draft.pk)
    with pytest.raises(ValidationFailed):
        services.license_issue_for_application(application_id=draft.pk)
    with pytest.raises(NotFound):
        services.license_issue_for_application(application_id=999999)


def test_revoking_the_approval_revokes_the_license(licensing: Licensing) -> None:
    license = issued(licensing)
    assert license.application_id is not None
    application_services.application_revoke(
        actor=licensing.approver, application_id=license.application_id, reasons="以欺骗手段取得许可"
    )
    license.refresh_from_db()
    assert license.status == LicenseStatus.REVOKED
    assert "以欺骗手段取得许可" in license.revoked_reason
    verdict = selectors.license_verify_identifier(license.identifier)
    assert verdict.status == "revoked"
    assert [finding.code for finding in verdict.findings] == ["license_revoked"]
    directory = selectors.seal_directory()
    assert license.identifier in directory.revoked


def test_the_issuing_departments_approvers_revoke_a_license(licensing: Licensing, make_staff: Any) -> None:
    license = issued(licensing)
    for actor in (licensing.clerk, licensing.applicant, make_staff(roles=("approver",))):
        with pytest.raises(PermissionDenied):
            services.license_revoke(actor=actor, identifier=license.identifier, reason="x")
    with pytest.raises(ValidationFailed):
        services.license_revoke(actor=licensing.approver, identifier=license.identifier, reason=" ")
    services.license_revoke(actor=licensing.approver, identifier=license.identifier, reason="许可被依法撤回")
    assert License.objects.get(pk=license.pk).status == LicenseStatus.REVOKED


def test_an_enterprise_license_goes_to_the_enterprise_its_agent_applied_for(
    licensing: Licensing, accounts: Any
) -> None:
    services.license_type_save(
        actor=licensing.admin, data=license_type_input(licensing.market, holder_kind="enterprise")
    )
    draft = application_services.application_draft_save(
        actor=accounts.agent,
        task_code=licensing.item.item.task_code,
        form_data=ANSWERS,
        enterprise_id=accounts.enterprise_id,
    )
    application_services.application_submit(actor=accounts.agent, application_id=draft.pk)
    application_services.application_accept(actor=licensing.clerk, application_id=draft.pk)
    application_services.application_review(actor=licensing.reviewer, application_id=draft.pk, verdict="agree")
    application_services.application_decide(actor=licensing.approver, application_id=draft.pk, outcome="approved")
    license = services.license_issue_for_application(application_id=draft.pk)
    assert license.enterprise_id == accounts.enterprise_id and license.holder_user_id is None
    assert read_license_file(license.document).data["holder"]["name"] == "明湖示范贸易有限公司"
    assert [item.identifier for item in selectors.licenses_held(actor=accounts.agent)] == [license.identifier]
    assert selectors.licenses_held(actor=licensing.applicant) == []
    # A person applying for an enterprise's license gets an explanation, not a license.
    with pytest.raises(ValidationFailed) as error:
        issued(licensing)
    assert error.value.field == "holder"


# --- license types -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "11100000000013338W01"}, "code"),
        ({"code": "111000000000133S8W001"}, "code"),
        ({"name": " "}, "name"),
        ({"holder_kind": "robot"}, "holder_kind"),
        ({"validity_years": 0}, "validity_years"),
        ({"elements": (services.ElementInput("a b", "甲"),)}, "elements.0.code"),
        ({"elements": (services.ElementInput("a", "甲"), services.ElementInput("a", "乙"))}, "elements.1.code"),
        ({"elements": (services.ElementInput("a", " "),)}, "elements.0.name"),
    ],
)
def test_bad_license_types_name_the_field(licensing: Licensing, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        services.license_type_save(actor=licensing.admin, data=license_type_input(licensing.market, **changes))
    assert error.value.field == field


def test_item_administrators_keep_their_own_departments_types(licensing: Licensing, city: Any, make_staff: Any) -> None:
    changed = services.license_type_save(
        actor=licensing.item_admin, data=license_type_input(licensing.market, name="营业执照（个体工商户）")
    )
    assert changed.name == "营业执照（个体工商户）"
    other = make_staff(city.civil_affairs, ("item_admin",))
    with pytest.raises(PermissionDenied):
        services.license_type_save(actor=other, data=license_type_input(licensing.market))
    with pytest.raises(PermissionDenied):  # nor move another department's type to their own
        services.license_type_save(actor=other, data=license_type_input(city.civil_affairs))
    with pytest.raises(PermissionDenied):
        services.license_type_save(actor=licensing.approver, data=license_type_input(licensing.market))


def test_an_item_names_only_an_existing_license_type_as_its_result(licensing: Licensing) -> None:
    with pytest.raises(ValidationFailed) as error:
        item_create(
            actor=None,
            department_id=licensing.market,
            catalog_code="T00000000999",
            task_code="T00000000999-0001",
            data=item_input(result_license_type="11100000000013338W999"),
        )
    assert error.value.field == "result_license_type"
    with pytest.raises(ValidationFailed) as error:
        item_create(
            actor=None,
            department_id=licensing.market,
            catalog_code="T00000000998",
            task_code="T00000000998-0001",
            data=item_input(result_type="approval", result_license_type=licensing.license_type.code),
        )
    assert error.value.field == "result_license_type"


# --- direct issuance -------------------------------------------------------------------------------------------


def test_direct_issuance_checks_elements_and_roles(licensing: Licensing) -> None:
    elements = {"shop_name": "明湖面馆", "scope": "餐饮服务"}
    license = services.license_issue_direct(
        actor=licensing.approver, type_code=licensing.license_type.code, holder_user_id=licensing.other_citizen.pk,
        elements=elements,
    )  # fmt: skip
    assert license.application_id is None and read_license_file(license.document).data["elements"] == elements
    with pytest.raises(ValidationFailed, match="经营范围"):
        services.license_issue_direct(
            actor=licensing.approver, type_code=licensing.license_type.code,
            holder_user_id=licensing.other_citizen.pk, elements={"shop_name": "明湖面馆"},
        )  # fmt: skip
    with pytest.raises(ValidationFailed, match="colour"):
        services.license_issue_direct(
            actor=licensing.approver, type_code=licensing.license_type.code,
            holder_user_id=licensing.other_citizen.pk, elements={**elements, "colour": "红"},
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.license_issue_direct(
            actor=licensing.clerk, type_code=licensing.license_type.code, holder_user_id=licensing.other_citizen.pk,
            elements=elements,
        )  # fmt: skip
    with pytest.raises(NotFound):
        services.license_issue_direct(actor=licensing.approver, type_code="11100000000013338W999", elements=elements)


# --- sharing (免提交) ------------------------------------------------------------------------------------------


def _reuse_draft(licensing: Licensing, applicant: Any = None) -> tuple[Any, int]:
    draft = application_services.application_draft_save(
        actor=applicant or licensing.applicant, task_code=licensing.reuse_item.item.task_code, form_data={}
    )
    material_id = licensing.reuse_item.materials.get().pk
    return draft, material_id


def test_the_holder_shares_a_license_as_trust_level_a_and_the_use_is_recorded(licensing: Licensing) -> None:
    license = issued(licensing)
    draft, material_id = _reuse_draft(licensing)
    services.license_share(
        actor=licensing.applicant, application_id=draft.pk, material_id=material_id, identifier=license.identifier
    )
    attached = draft.materials.get(material_id=material_id, superseded_at=None)
    assert attached.trust_level == "A" and attached.license_identifier == license.identifier
    assert attached.content_type == "application/pdf" and attached.file.read().startswith(b"%PDF")
    [use] = selectors.license_uses(license=license)
    assert use.action == LicenseUse.Action.SHARED and use.application_id == draft.pk
    assert AuditEvent.objects.filter(action="licenses.license.share").exists()
    # Sharing again replaces the file; the first stays as history.
    services.license_share(
        actor=licensing.applicant, application_id=draft.pk, material_id=material_id, identifier=license.identifier
    )
    assert draft.materials.filter(material_id=material_id).count() == 2


def test_sharing_refuses_what_is_not_yours_not_asked_or_not_valid(licensing: Licensing) -> None:
    license = issued(licensing)
    draft, material_id = _reuse_draft(licensing)
    with pytest.raises(NotFound):  # someone else's license
        other_draft, _ = _reuse_draft(licensing, licensing.other_citizen)
        services.license_share(
            actor=licensing.other_citizen, application_id=other_draft.pk, material_id=material_id,
            identifier=license.identifier,
        )  # fmt: skip
    with pytest.raises(ValidationFailed) as error:  # a material that is not a license
        services.license_share(
            actor=licensing.applicant, application_id=draft.pk, material_id=999999, identifier=license.identifier
        )
    assert error.value.field == "material_id"
    other_type = services.license_type_save(
        actor=licensing.admin, data=license_type_input(licensing.market, code="11100000000013338W002", name="其他证")
    )
    wrong = services.license_issue_direct(
        actor=None, type_code=other_type.code, holder_user_id=licensing.applicant.pk,
        elements={"shop_name": "店名", "scope": "经营"},
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="其他证"):
        services.license_share(
            actor=licensing.applicant, application_id=draft.pk, material_id=material_id, identifier=wrong.identifier
        )
    services.license_revoke(actor=licensing.approver, identifier=license.identifier, reason="撤回")
    with pytest.raises(ValidationFailed, match="cannot be used"):
        services.license_share(
            actor=licensing.applicant, application_id=draft.pk, material_id=material_id, identifier=license.identifier
        )
    assert not draft.materials.exists()
    assert not LicenseUse.objects.exists()


def test_a_seal_revoked_after_issuance_makes_its_licenses_unusable(licensing: Licensing) -> None:
    license = issued(licensing)
    services.seal_change_status(actor=licensing.admin, seal_pk=licensing.seal.pk, action="revoke", reason="泄露")
    assert licensing.seal.__class__.objects.get(pk=licensing.seal.pk).status == SealStatus.REVOKED
    assert selectors.license_verify_stored(license).status == "revoked"
