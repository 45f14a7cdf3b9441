"""The portal's 12345 pages: an anonymous request with its phone proven by an SMS code (wrong, expired, too many
attempts, resent too soon), the private link and the look-up by number and phone, a signed-in citizen's request,
"my requests" and the online follow-up; the SMS seam itself."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from freezegun import freeze_time

from yiwang.cases import services, sms
from yiwang.cases.models import Case, CaseStatus, PhoneChallenge
from yiwang.cases.tests.conftest import Hotline
from yiwang.cases.tracking import tracking_token
from yiwang.conftest import sign_in
from yiwang.core.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PHONE = "13700001234"
REQUEST = {
    "case_type": "help",
    "content": "滨河路公交站的候车亭顶棚破了，下雨天没法躲雨。",
    "address": "滨河路公交站",
    "contact_name": "王先生",
}


@pytest.fixture(autouse=True)
def outbox(settings: Any) -> Iterator[list[sms.SmsMessage]]:
    settings.YIWANG_SMS_BACKEND = sms.LOCMEM_BACKEND
    sms.outbox.clear()
    cache.clear()  # the look-up limits count failures in the cache
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def portal(hotline: Hotline) -> Callable[[Any], Client]:
    def make(user: Any = None) -> Client:
        client = Client()
        client.cookies["yiwang_language"] = "en"
        return sign_in(client, user) if user is not None else client

    return make


def main(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") :]


def last_code(outbox: list[sms.SmsMessage]) -> str:
    found = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert found is not None, outbox[-1].text
    return found.group(1)


def send(client: Client, phone: str = PHONE) -> Any:
    return client.post("/hotline/new/phone/", {"action": "send", "phone": phone})


def verify(client: Client, code: str) -> Any:
    return client.post("/hotline/new/phone/", {"action": "verify", "code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1000000:06d}"


def test_the_landing_page_says_how_to_report(portal) -> None:
    page = main(portal().get("/hotline/"))
    assert 'href="/hotline/new/"' in page and 'href="/hotline/knowledge/"' in page
    assert 'href="/hotline/track/"' in page
    assert "110" in page  # emergencies elsewhere


def test_an_anonymous_request_with_its_phone_proven_by_sms(portal, hotline: Hotline, outbox) -> None:
    client = portal()
    assert client.get("/hotline/new/")["Location"] == "/hotline/new/phone/"
    page = main(client.get("/hotline/new/phone/"))
    assert 'id="id_phone"' in page and 'id="id_code"' not in page
    assert send(client)["Location"] == "/hotline/new/phone/"
    assert [message.phone for message in outbox] == [PHONE]
    code = last_code(outbox)
    page = main(client.get("/hotline/new/phone/"))
    assert "A code was sent to 137****1234." in page and 'id="id_code"' in page
    challenge = PhoneChallenge.objects.get()
    assert code not in challenge.code_digest and len(challenge.code_digest) == 64
    assert code not in str(list(AuditEvent.objects.values_list("changes", flat=True)))

    refused = verify(client, wrong(code))
    assert refused.status_code == 400
    assert "The code is not right: 4 attempts left." in main(refused)
    assert client.get("/hotline/new/")["Location"] == "/hotline/new/phone/"  # not proven yet
    assert verify(client, code)["Location"] == "/hotline/new/"
    page = main(client.get("/hotline/new/"))
    assert "Your confirmed phone: 137****1234." in page
    assert 'id="id_content"' in page and 'id="id_attachments"' in page

    response = client.post("/hotline/new/", REQUEST | {"division_code": hotline.community})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/hotline/track/{case.number}/{tracking_token(case.number)}/"
    assert (case.channel, case.contact_phone, case.reporter_id, case.received_by_id) == ("portal", PHONE, None, None)
    page = main(client.get(response["Location"]))
    assert f"Your request is received: its number is {case.number}" in page
    assert f"/hotline/track/{case.number}/{tracking_token(case.number)}/" in page
    assert "滨河路公交站的候车亭顶棚破了" in page
    # The proof is spent: another request needs another code.
    assert client.get("/hotline/new/")["Location"] == "/hotline/new/phone/"
    again = client.get(response["Location"])
    assert "Your request is received" not in main(again)  # said once
    assert again["Referrer-Policy"] == "same-origin"


def test_an_expired_code_is_refused(portal, outbox) -> None:
    client = portal()
    with freeze_time("2026-05-06T02:00:00Z"):
        send(client)
    code = last_code(outbox)
    with freeze_time("2026-05-06T02:10:30Z"):
        refused = verify(client, code)
    assert refused.status_code == 400
    assert "The code has expired: ask for a new one." in main(refused)
    with freeze_time("2026-05-06T02:11:00Z"):
        assert send(client).status_code == 302  # a new code may be asked for
        assert verify(client, last_code(outbox))["Location"] == "/hotline/new/"


def test_five_wrong_codes_spend_the_challenge(portal, outbox) -> None:
    client = portal()
    send(client)
    code = last_code(outbox)
    answers = [main(verify(client, wrong(code))) for _attempt in range(5)]
    assert "The code is not right: 1 attempts left." in answers[3]
    assert "Too many wrong codes: ask for a new one." in answers[4]
    still = verify(client, code)
    assert still.status_code == 400
    assert "Too many wrong codes: ask for a new one." in main(still)
    assert PhoneChallenge.objects.get().attempts == 5


def test_one_code_a_minute_per_phone(portal, outbox) -> None:
    client = portal()
    with freeze_time("2026-05-06T02:00:00Z"):
        assert send(client).status_code == 302
    with freeze_time("2026-05-06T02:00:30Z"):
        too_soon = client.post("/hotline/new/phone/", {"action": "resend"})
        assert too_soon.status_code == 429
        assert "wait 31 seconds before asking again" in main(too_soon)
        assert len(outbox) == 1
        assert send(portal(), PHONE).status_code == 429  # another browser, the same phone
    first = last_code(outbox)
    with freeze_time("2026-05-06T02:01:01Z"):
        assert client.post("/hotline/new/phone/", {"action": "resend"}).status_code == 302
        assert len(outbox) == 2
        # Only the newest code counts.
        assert list(PhoneChallenge.objects.order_by("pk").values_list("used", flat=True)) == [True, False]
        assert verify(client, first).status_code == 400
        assert verify(client, last_code(outbox))["Location"] == "/hotline/new/"


def test_a_landline_or_bad_phone_gets_no_code(portal, outbox) -> None:
    client = portal()
    landline = send(client, "0371-62345678")
    assert landline.status_code == 400
    assert "Give a mobile number: the code comes by text message." in main(landline)
    assert send(client, "1234").status_code == 400
    assert outbox == []


def test_without_a_gateway_outside_development_the_page_says_so(portal, settings) -> None:
    settings.YIWANG_SMS_BACKEND = ""
    settings.DEBUG = False
    response = send(portal())
    assert response.status_code == 400
    assert "The code could not be sent. Try again later, or call 12345." in main(response)


def test_the_console_backend_prints_the_masked_phone(settings, capsys) -> None:
    settings.YIWANG_SMS_BACKEND = ""
    settings.DEBUG = True
    sms.send_sms(PHONE, "验证码 123456")
    assert capsys.readouterr().out == "[SMS to 137****1234] 验证码 123456\n"


def test_a_request_is_found_by_number_and_phone(portal, hotline: Hotline) -> None:
    case = services.case_intake(
        actor=None,
        intake=services.CaseIntake(case_type="help", channel="portal", content="候车亭坏了", contact_phone=PHONE),
    )
    client = portal()
    assert 'id="id_number"' in main(client.get("/hotline/track/"))
    found = client.post("/hotline/track/", {"number": case.number, "phone": "137-0000-1234"})
    assert found["Location"] == f"/hotline/track/{case.number}/{tracking_token(case.number)}/"
    missed = client.post("/hotline/track/", {"number": case.number, "phone": "13700009999"})
    assert missed.status_code == 400
    assert "No case has this number and phone." in main(missed)
    assert client.get(f"/hotline/track/{case.number}/{'0' * 32}/").status_code == 404
    # The staff's names and the contact never show on the tracking page.
    page = main(client.get(found["Location"]))
    assert PHONE not in page and hotline.operator.real_name not in page


def test_look_ups_that_do_not_match_are_limited(portal) -> None:
    client = portal()
    for _attempt in range(5):
        assert client.post("/hotline/track/", {"number": "20260101000001", "phone": "13700009999"}).status_code == 400
    limited = client.post("/hotline/track/", {"number": "20260101000001", "phone": "13700009999"})
    assert "Too many look-ups that did not match" in main(limited)


def test_a_signed_in_citizen_reports_and_follows_up_online(portal, hotline: Hotline) -> None:
    client = portal(hotline.citizen)
    page = main(client.get("/hotline/new/"))
    assert 'value="陈小明"' in page  # the account's name
    response = client.post("/hotline/new/", REQUEST | {"hide_reporter": "on"})
    case = Case.objects.get()
    assert response["Location"] == f"/hotline/mine/{case.number}/"
    assert (case.reporter_id, case.channel, case.contact_phone, case.hide_reporter) == (
        hotline.citizen.pk,
        "portal",
        "13812345678",
        True,
    )
    assert f'data-number="{case.number}"' in main(client.get("/hotline/mine/"))
    assert client.get("/hotline/new/phone/")["Location"] == "/hotline/new/"  # no code needed

    services.case_dispatch(
        actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
    )
    services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    services.case_note(actor=hotline.urban_handler, case_id=case.pk, text="内部备注：联系公交公司")
    services.case_conclude(actor=hotline.urban_handler, case_id=case.pk, reply="已通知公交公司修复顶棚。")
    page = main(client.get(f"/hotline/mine/{case.number}/"))
    assert "已通知公交公司修复顶棚。" in page and 'data-testid="follow-up-form"' in page
    assert "内部备注" not in page and hotline.urban_handler.real_name not in page  # public steps only
    incomplete = client.post(f"/hotline/mine/{case.number}/follow-up/", {"follow_up-resolved": "yes"})
    assert incomplete.status_code == 400
    assert "Choose how satisfied the reporter is." in main(incomplete)
    answered = client.post(
        f"/hotline/mine/{case.number}/follow-up/",
        {"follow_up-resolved": "yes", "follow_up-satisfaction": "satisfied", "follow_up-note": "很快"},
    )
    assert answered["Location"] == f"/hotline/mine/{case.number}/"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    follow_up = case.follow_ups.get()
    assert (follow_up.by_id, follow_up.satisfaction, follow_up.lead_department_id) == (
        hotline.citizen.pk,
        "satisfied",
        hotline.urban,
    )
    again = client.post(
        f"/hotline/mine/{case.number}/follow-up/",
        {"follow_up-resolved": "yes", "follow_up-satisfaction": "satisfied"},
    )
    assert again.status_code == 409  # already answered


def test_a_citizen_sees_only_their_own_requests(portal, hotline: Hotline, make_citizen) -> None:
    case = services.case_intake(
        actor=hotline.citizen,
        intake=services.CaseIntake(
            case_type="help", channel="portal", content="候车亭坏了", reporter_id=hotline.citizen.pk
        ),
    )
    other = portal(make_citizen("李四"))
    assert other.get(f"/hotline/mine/{case.number}/").status_code == 404
    assert f'data-number="{case.number}"' not in main(other.get("/hotline/mine/"))


def test_staff_take_requests_in_the_console(portal, hotline: Hotline) -> None:
    staff = portal(hotline.operator)
    assert staff.get("/hotline/new/").status_code == 403
    assert staff.get("/hotline/").status_code == 200


def test_a_merged_request_shows_the_main_case_answer(portal, hotline: Hotline) -> None:
    first = services.case_intake(
        actor=hotline.operator,
        intake=services.CaseIntake(
            case_type="help", channel="phone", content="候车亭坏了", contact_phone="13900000001"
        ),
    )
    mine = services.case_intake(
        actor=hotline.citizen,
        intake=services.CaseIntake(
            case_type="help", channel="portal", content="候车亭顶棚坏了", reporter_id=hotline.citizen.pk
        ),
    )
    services.case_merge(actor=hotline.dispatcher, case_id=mine.pk, into_case_id=first.pk)
    page = main(portal(hotline.citizen).get(f"/hotline/mine/{mine.number}/"))
    assert f"request {first.number}, on the same matter" in page
    assert "13900000001" not in page


def _answered(hotline: Hotline, case: Case, reply: str = "已通知公交公司修复顶棚。") -> None:
    if case.status != CaseStatus.DISPATCHED:
        services.case_dispatch(
            actor=hotline.dispatcher, case_id=case.pk, category_code=hotline.lamp, lead_department_id=hotline.urban
        )
    services.case_sign(actor=hotline.urban_handler, case_id=case.pk)
    services.case_conclude(actor=hotline.urban_handler, case_id=case.pk, reply=reply)
    case.refresh_from_db()


def test_a_reporter_without_an_account_follows_up_by_the_private_link(portal, hotline: Hotline) -> None:
    case = services.case_intake(
        actor=None,
        intake=services.CaseIntake(case_type="help", channel="portal", content="候车亭坏了", contact_phone=PHONE),
    )
    link = f"/hotline/track/{case.number}/{tracking_token(case.number)}/"
    answer = {"follow_up-resolved": "no", "follow_up-satisfaction": "unsatisfied", "follow_up-note": "顶棚还是破的"}
    client = portal()
    # Not answered yet: no form, and an answer sent anyway is refused without a trace.
    assert 'data-testid="follow-up-form"' not in main(client.get(link))
    early = client.post(link + "follow-up/", answer)
    assert early.status_code == 409 and not case.follow_ups.exists()

    _answered(hotline, case)
    page = main(client.get(link))
    assert "已通知公交公司修复顶棚。" in page
    assert f'action="{link}follow-up/"' in page
    incomplete = client.post(link + "follow-up/", {"follow_up-resolved": "yes"})
    assert incomplete.status_code == 400 and "Choose how satisfied the reporter is." in main(incomplete)
    forged = client.post(f"/hotline/track/{case.number}/{'0' * 32}/follow-up/", answer)
    assert forged.status_code == 404 and not case.follow_ups.exists()

    # Not satisfied: the case goes back to the same unit (重办), as when the hotline records the answer.
    assert client.post(link + "follow-up/", answer)["Location"] == link
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (CaseStatus.DISPATCHED, 1)
    first = case.follow_ups.get()
    assert (first.by_id, first.satisfaction, first.resolved) == (None, "unsatisfied", False)
    event = case.events.get(kind="followed_up")
    assert event.public and event.data["online"] and event.data["by_link"] and event.actor_id is None
    assert AuditEvent.objects.filter(action="cases.case.followed_up", object_id=case.number).exists()

    _answered(hotline, case, reply="公交公司已更换顶棚。")
    satisfied = {"follow_up-resolved": "yes", "follow_up-satisfaction": "satisfied"}
    assert client.post(link + "follow-up/", satisfied).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.follow_ups.count() == 2
    page = main(client.get(link))
    assert 'data-testid="follow-up-form"' not in page
    answers = page[page.index("Your answers") :]  # the list of answers, with their labels
    assert "not resolved, Not satisfied" in answers and "resolved, Satisfied" in answers
    again = client.post(link + "follow-up/", satisfied)
    assert again.status_code == 409 and case.follow_ups.count() == 2


def test_the_link_follow_up_is_the_reporters_answer_only_for_that_case(portal, hotline: Hotline) -> None:
    first = services.case_intake(
        actor=None,
        intake=services.CaseIntake(case_type="help", channel="portal", content="候车亭坏了", contact_phone=PHONE),
    )
    other = services.case_intake(
        actor=None,
        intake=services.CaseIntake(case_type="help", channel="portal", content="路灯坏了", contact_phone=PHONE),
    )
    _answered(hotline, first)
    _answered(hotline, other)
    # The token of one case does not answer for another.
    wrong = portal().post(
        f"/hotline/track/{other.number}/{tracking_token(first.number)}/follow-up/",
        {"follow_up-resolved": "yes", "follow_up-satisfaction": "satisfied"},
    )
    assert wrong.status_code == 404
    assert not first.follow_ups.exists() and not other.follow_ups.exists()
