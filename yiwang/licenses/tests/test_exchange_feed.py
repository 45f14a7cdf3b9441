"""The license library (`e-licenses`) through the exchange gateway: kept by this app after each issuance and
revocation (and by its sweep when a push was lost), shared for verification only.

Here rather than in the exchange's tests: the exchange may not import the licenses app (the layers contract
covers tests too), while this app may use the exchange's fixtures and client."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time

from yiwang.datahub.catalog.selectors import shared_resource
from yiwang.datahub.registries import E_LICENSES
from yiwang.datahub.tests.conftest import registries  # noqa: F401 - fixtures shared
from yiwang.exchange import services
from yiwang.exchange.client import GatewayClient, GatewayResponse
from yiwang.exchange.tests.conftest import exchange  # noqa: F401
from yiwang.licenses import exchange_feed
from yiwang.licenses import services as license_services
from yiwang.licenses.models import License
from yiwang.licenses.tasks import sweep_licenses_to_exchange
from yiwang.licenses.tests.conftest import Licensing, issued

pytestmark = pytest.mark.django_db

GRANTED = ["identifier", "holder_code", "holder_name", "status"]


def _problem(response: GatewayResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    data = response.data
    assert (data["code"], data["status"]) == (code, status)
    assert data["detail"] and data["detail_en"]
    return dict(data)


@pytest.fixture
def verifier(exchange: Any) -> GatewayClient:  # noqa: F811 - the fixture imported above
    """民政局's system, granted four elements of the license library (on conditions: the platform decides twice)."""
    today = timezone.localdate()
    request = services.access_request_submit(
        actor=exchange.registries["civil_data_admin"],
        data=services.AccessRequestInput(
            consumer_id=exchange.consumer_id,
            resource=E_LICENSES,
            elements=GRANTED,
            purpose="核验申请人提交的营业执照",
            legal_basis="《社会救助暂行办法》第十一条",
            valid_from=today,
            valid_until=today + datetime.timedelta(days=365),
            expected_volume=100,
        ),
    )
    services.access_request_compliance_decide(actor=None, request_id=request.pk, approve=True)
    services.access_request_source_decide(actor=None, request_id=request.pk, approve=True)
    client: GatewayClient = exchange.client
    return client


def _verify(client: GatewayClient, license: License, **values: str) -> GatewayResponse:
    response = client.verify(E_LICENSES, {"identifier": license.identifier, **values})
    assert response.status == 200, response.body
    return response


def test_the_license_library_is_a_builtin_shared_for_verification_only(exchange: Any) -> None:  # noqa: F811
    shared = shared_resource(slug=E_LICENSES)
    assert shared.sharing_methods == ("verification",) and shared.verification_only
    assert shared.sharing_type == "conditional"
    assert shared.source_department == "政务服务和大数据管理局"
    assert [element.code for element in shared.schema.key_elements] == ["identifier"]
    holder_code = shared.schema.element("holder_code")
    assert (holder_code.sensitive, holder_code.lookup, holder_code.data_type) == (True, True, "string")
    assert shared.schema.element("status").enumeration == ("有效", "已撤销", "已过期")
    assert not shared_resource(slug="population").verification_only


def test_an_issued_license_is_verified_and_its_revocation_follows(
    verifier: GatewayClient, licensing: Licensing, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        license = issued(licensing)
    holder_code = licensing.applicant.id_number
    answer = _verify(verifier, license, holder_code=holder_code, holder_name="王小明", status="有效")
    assert answer.data == {
        "matched": True,
        "elements": {"identifier": True, "holder_code": True, "holder_name": True, "status": True},
    }
    wrong = _verify(verifier, license, holder_code="419802199003070031", status="有效")
    assert wrong.data == {"matched": False, "elements": {"identifier": True, "holder_code": False, "status": True}}

    with django_capture_on_commit_callbacks(execute=True):
        license_services.license_revoke(
            actor=licensing.approver, identifier=license.identifier, reason="许可被依法撤回"
        )
    valid = _verify(verifier, license, holder_code=holder_code, status="有效")
    assert valid.data["matched"] is False and valid.data["elements"]["status"] is False
    assert _verify(verifier, license, holder_code=holder_code, status="已撤销").data["matched"] is True


def test_records_batch_and_query_are_refused(
    exchange: Any,  # noqa: F811 - the fixture imported above
    verifier: GatewayClient,
    licensing: Licensing,
) -> None:
    license = issued(licensing)
    refused = [
        verifier.record(E_LICENSES, license.identifier),
        verifier.records(E_LICENSES, [license.identifier]),
        verifier.query(E_LICENSES, [{"element": "status", "value": "有效"}]),
    ]
    for response in refused:
        problem = _problem(response, 403, "verification_only")
        assert "verification only" in problem["detail_en"]
    # Refused before any grant is looked at; a system without one may not verify either.
    other = services.consumer_register(actor=None, department_id=exchange.registries["civil"], name="未授权的系统")
    stranger = exchange.client_with(app_key=other.app_key, secret=other.secret)
    _problem(stranger.record(E_LICENSES, license.identifier), 403, "verification_only")
    _problem(stranger.verify(E_LICENSES, {"identifier": license.identifier}), 403, "no_grant")
    assert verifier.record("population", "419802199003070031").status == 200  # other resources: as before


def test_one_transaction_is_one_push(
    verifier: GatewayClient, licensing: Licensing, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        first = issued(licensing)
        second = issued(licensing, applicant=licensing.other_citizen)
    pushes = [callback for callback in callbacks if isinstance(callback, exchange_feed._PendingPush)]
    assert [push.license_ids for push in pushes] == [[first.pk, second.pk]]
    pushes[0]()
    for license, holder in ((first, licensing.applicant), (second, licensing.other_citizen)):
        assert _verify(verifier, license, holder_code=holder.id_number, status="有效").data["matched"] is True


def test_the_sweep_repairs_a_lost_push(verifier: GatewayClient, licensing: Licensing) -> None:
    cache.delete(exchange_feed.SWEPT_AT)
    license = issued(licensing)  # its push, waiting for a commit that never runs its callbacks, is lost
    holder_code = licensing.applicant.id_number
    assert _verify(verifier, license, holder_code=holder_code).data["matched"] is False
    assert sweep_licenses_to_exchange.enqueue().return_value == 1  # the first sweep pushes every license
    assert _verify(verifier, license, holder_code=holder_code, status="有效").data["matched"] is True

    license_services.license_revoke(actor=licensing.approver, identifier=license.identifier, reason="许可被依法撤回")
    assert exchange_feed.licenses_sweep() == 1  # revoked since the last sweep
    assert _verify(verifier, license, holder_code=holder_code, status="已撤销").data["matched"] is True
    assert _verify(verifier, license, holder_code=holder_code, status="有效").data["matched"] is False

    # Changes older than the last sweep (less its overlap) are not pushed again; everything=True pushes them all.
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    License.objects.filter(pk=license.pk).update(issued_at=long_ago, revoked_at=long_ago)
    assert exchange_feed.licenses_sweep() == 0
    assert exchange_feed.licenses_sweep(everything=True) == 1
    assert _verify(verifier, license, holder_code=holder_code, status="已撤销").data["matched"] is True


def test_pushing_again_changes_nothing(verifier: GatewayClient, licensing: Licensing) -> None:
    license = issued(licensing)
    first = exchange_feed.licenses_push(license_ids=[license.pk])
    again = exchange_feed.licenses_push(license_ids=[license.pk])
    assert [(item.status, item.accepted) for item in first] == [("committed", 1)]
    assert [(item.status, item.accepted) for item in again] == [("duplicate", 0)]
    assert exchange_feed.licenses_push(license_ids=[]) == []


def test_an_expiry_reaches_the_library_with_the_next_sweep(verifier: GatewayClient, licensing: Licensing) -> None:
    license = issued(licensing)
    today = timezone.localdate()
    License.objects.filter(pk=license.pk).update(valid_until=today)  # its last day is today
    holder_code = licensing.applicant.id_number
    exchange_feed.licenses_push(license_ids=[license.pk])
    assert _verify(verifier, license, holder_code=holder_code, status="有效").data["matched"] is True
    exchange_feed.licenses_sweep()  # the mark: today
    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(4), tzinfo=datetime.UTC)
    with freeze_time(tomorrow):
        assert exchange_feed.licenses_sweep() == 1  # expired since the last sweep
        assert _verify(verifier, license, holder_code=holder_code, status="已过期").data["matched"] is True
        assert _verify(verifier, license, holder_code=holder_code, status="有效").data["matched"] is False
    with freeze_time(tomorrow + datetime.timedelta(days=2)):
        exchange_feed.licenses_sweep()  # (within a day of the previous sweep's mark: pushed again, harmless)
        assert exchange_feed.licenses_sweep() == 0  # long expired: not pushed again and again
