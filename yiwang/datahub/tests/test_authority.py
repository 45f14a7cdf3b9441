"""一数一源: deciding conflicts, and what each outcome does to the record, the feedback lists and the audit log."""

import pytest

from yiwang.core.audit.models import AuditEvent
from yiwang.core.errors import Conflict as ConflictError
from yiwang.core.errors import PermissionDenied
from yiwang.datahub.authority.selectors import conflict_feedback, conflict_queue
from yiwang.datahub.authority.services import conflict_resolve
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.models import Conflict, ConflictStatus
from yiwang.datahub.registries import POPULATION
from yiwang.datahub.registry.selectors import record_get
from yiwang.datahub.tests.test_quality import person, send

POLICE_PHONE, CIVIL_PHONE = "13800000001", "13900009999"


@pytest.fixture
def conflict(registries):
    """公安局 (the authority) holds one phone; 民政局 sent another."""
    send(registries, "police", POPULATION, [person(1), person(2)])
    send(registries, "civil", POPULATION, [person(1, **{"联系电话": CIVIL_PHONE}), person(2)])
    return Conflict.objects.get()


def phone_of_person_1():
    record = record_get(schema=resource_schema(slug=POPULATION), key_values={"id_number": person(1)["公民身份号码"]})
    return record.values["phone"], record.provenance["phone"][0]


def test_the_conflict_waits_in_the_authoritys_queue_only(conflict, registries):
    [queued] = conflict_queue(viewer=registries["police_data_admin"])
    assert (queued.id, queued.element_code, queued.other_department) == (conflict.pk, "phone", "民政局")
    assert queued.other_value == "139****9999"  # masked in lists
    assert conflict_queue(viewer=registries["civil_data_admin"]) == []
    assert conflict_feedback(viewer=registries["civil_data_admin"]) == []  # nothing decided yet


@pytest.mark.parametrize("outcome", [ConflictStatus.CONFIRMED, ConflictStatus.OTHER_WRONG])
def test_confirming_or_marking_the_other_wrong_leaves_the_record(conflict, registries, outcome):
    conflict_resolve(actor=registries["police_data_admin"], conflict_id=conflict.pk, outcome=outcome, note="请核对")
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolution_note) == (outcome, "请核对")
    assert conflict.resolved_by_id == registries["police_data_admin"].pk
    assert phone_of_person_1() == (POLICE_PHONE, registries["police"])
    [feedback] = conflict_feedback(viewer=registries["civil_data_admin"])
    assert (feedback.id, feedback.status, feedback.resolution_note) == (conflict.pk, outcome, "请核对")
    event = AuditEvent.objects.get(action="datahub.conflict.resolve")
    assert (event.actor_id, event.object_id) == (registries["police_data_admin"].pk, str(conflict.pk))
    assert CIVIL_PHONE not in event.changes


def test_correcting_writes_the_value_with_the_authority_as_its_source(conflict, registries):
    conflict_resolve(
        actor=registries["police_data_admin"], conflict_id=conflict.pk, outcome=ConflictStatus.CORRECTED, note="已更正"
    )
    assert phone_of_person_1() == (CIVIL_PHONE, registries["police"])
    [feedback] = conflict_feedback(viewer=registries["civil_data_admin"])
    assert feedback.status == ConflictStatus.CORRECTED


def test_the_other_department_cannot_decide_and_nobody_decides_twice(conflict, registries):
    with pytest.raises(PermissionDenied):
        conflict_resolve(
            actor=registries["civil_data_admin"], conflict_id=conflict.pk, outcome=ConflictStatus.OTHER_WRONG
        )
    conflict_resolve(actor=registries["police_data_admin"], conflict_id=conflict.pk, outcome=ConflictStatus.CONFIRMED)
    with pytest.raises(ConflictError):
        conflict_resolve(
            actor=registries["police_data_admin"], conflict_id=conflict.pk, outcome=ConflictStatus.OTHER_WRONG
        )
    assert AuditEvent.objects.filter(action="datahub.conflict.resolve").count() == 1
