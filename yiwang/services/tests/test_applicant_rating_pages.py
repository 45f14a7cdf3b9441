"""Rating the service (好差评) on the applicant's application page: a form for each service event that happened and
is not rated yet, the five levels as radio buttons, the online indicators and a comment; the ratings given; who may
rate; refusals on the form (400): twice, before the event, without a level.
"""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.conftest import url_routes
from yiwang.services.applications import services
from yiwang.services.models import Rating, RatingLevel, Rectification
from yiwang.services.tests.test_application_pages import (  # noqa: F401 - fixtures: the accounts, the item
    ANSWERS,
    TASK_CODE,
    item,
    main,
    people,
)

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 403, 404, 405
MINE = "/my/applications"
ROLES = ["anonymous", "applicant", "other_citizen", "agent", "clerk", "admin"]


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


APPLICANT_ACTS = row(REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN)


def applicant_gets(code: int) -> dict[str, int]:
    return APPLICANT_ACTS | {"applicant": code}


def _submitted(people: dict[str, Any]) -> Any:  # noqa: F811
    draft = services.application_draft_save(
        actor=people["applicant"], task_code=TASK_CODE, form_data=ANSWERS, handling_item_code="01"
    )
    return services.application_submit(actor=people["applicant"], application_id=draft.pk)


@pytest.fixture
def applications(people: dict[str, Any], item: Any) -> dict[str, int]:  # noqa: F811
    """Received, accepted, and approved (accepted, reviewed, decided) applications of the applicant."""
    received = _submitted(people)
    accepted = _submitted(people)
    services.application_accept(actor=people["clerk"], application_id=accepted.pk)
    approved = _submitted(people)
    services.application_accept(actor=people["clerk"], application_id=approved.pk)
    services.application_review(actor=people["reviewer"], application_id=approved.pk, verdict="agree")
    services.application_decide(actor=people["approver"], application_id=approved.pk, outcome="approved")
    return {"received": received.pk, "accepted": accepted.pk, "approved": approved.pk}


RATE = "my/applications/<int:application_id>/ratings/<slug:event>/"
PAGES: dict[str, list[tuple[Any, ...]]] = {
    RATE: [
        ("post", "{accepted}/ratings/acceptance/", {"level": "1"}, APPLICANT_ACTS),
        ("post", "{approved}/ratings/conclusion/", {"level": "5", "comment": "太慢"}, APPLICANT_ACTS),
        ("post", "{received}/ratings/acceptance/", {"level": "1"}, applicant_gets(BAD)),  # not accepted yet
        ("post", "{accepted}/ratings/conclusion/", {"level": "1"}, applicant_gets(BAD)),
        ("post", "{accepted}/ratings/acceptance/", {}, applicant_gets(BAD)),  # no level
        ("post", "{accepted}/ratings/acceptance/", {"level": "9"}, applicant_gets(BAD)),
        ("post", "{accepted}/ratings/no-such-event/", {"level": "1"}, applicant_gets(NOT_FOUND)),
        ("post", "999999/ratings/acceptance/", {"level": "1"}, applicant_gets(NOT_FOUND)),
        ("get", "{accepted}/ratings/acceptance/", None, row(REDIRECT, *[NOT_ALLOWED] * 3, FORBIDDEN, FORBIDDEN)),
    ],
}
CASES = [(route, index) for route, cases in sorted(PAGES.items()) for index in range(len(cases))]


def test_every_rating_route_is_in_the_matrix():
    assert {route for route in url_routes() if route.startswith("my/applications/<int:application_id>/ratings/")} == {
        RATE
    }
    assert set(PAGES) == {RATE}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "index"), CASES)
def test_matrix(clients, applications, route, index, role):
    method, path, body, expected = PAGES[route][index]
    path = f"{MINE}/{path.format(**{name: str(pk) for name, pk in applications.items()})}"
    client = clients(role)
    response = client.get(path) if method == "get" else client.post(path, body)
    assert response.status_code == expected[role], (method, path, role)


def _form(page: str, event: str) -> str:
    start = page.index(f'data-testid="rating-form" data-event="{event}"')
    return page[start : page.index("</form>", start)]


def test_the_applicant_rates_each_service_once(clients, people, applications):  # noqa: F811
    applicant = clients("applicant")
    assert 'data-testid="rating"' not in main(applicant.get(f"{MINE}/{applications['received']}/"))

    path = f"{MINE}/{applications['approved']}/"
    page = main(applicant.get(path))
    assert [event for event in ("acceptance", "supplement", "conclusion") if f'data-event="{event}"' in page] == [
        "acceptance",
        "conclusion",
    ]
    form = _form(page, "conclusion")
    assert f'action="{path}ratings/conclusion/"' in page and "Rate: Conclusion (办结)" in form
    for value, label in RatingLevel.choices:
        assert f'type="radio" name="level" value="{value}"' in form
        assert f'<label for="id_rate-conclusion-level_{value - 1}">{label}</label>' in form
    for name in ("整体满意度", "办事效率", "办事指南精确度", "办事便捷度", "平台操作性"):
        assert f">{name}</label>" in form, name
    assert '<label for="id_rate-conclusion-comment">Comment</label>' in form

    sent = {"level": "2", "indicator_overall": "1", "indicator_usability": "3", "comment": " 很方便 "}
    rated = applicant.post(f"{path}ratings/conclusion/", sent)
    assert (rated.status_code, rated["Location"]) == (REDIRECT, f"{path}#rating")
    rating = Rating.objects.get(application_id=applications["approved"])
    assert (rating.event, rating.level, rating.channel, rating.indicators, rating.comment) == (
        "conclusion",
        2,
        "online",
        {"overall": 1, "usability": 3},
        "很方便",
    )
    page = main(applicant.get(path))
    assert "Thank you: your rating is recorded." in page
    assert 'data-event="conclusion"' not in page.replace('data-testid="rating-given" data-event="conclusion"', "")
    given = page[
        page.index('data-testid="rating-given"') : page.index("</dl>", page.index('data-testid="rating-given"'))
    ]
    assert 'data-event="conclusion" data-level="2"' in given and "<dd>Satisfied (满意)</dd>" in given
    assert "<dt>整体满意度</dt><dd>Very satisfied (非常满意)</dd>" in given and "<dd>很方便</dd>" in given

    twice = applicant.post(f"{path}ratings/conclusion/", {"level": "1"})
    assert twice.status_code == BAD
    assert "You have rated this service already: each is rated once." in main(twice)
    assert Rating.objects.filter(application_id=applications["approved"]).count() == 1

    bad = applicant.post(f"{path}ratings/acceptance/", {"level": "5", "comment": "窗口态度差"})
    assert bad.status_code == REDIRECT
    assert Rectification.objects.filter(rating__event="acceptance", rating__level=5).count() == 1


def test_refusals_are_shown_on_the_form(clients, applications):
    applicant = clients("applicant")
    early = applicant.post(f"{MINE}/{applications['received']}/ratings/acceptance/", {"level": "1"})
    assert early.status_code == BAD
    page = main(early)
    assert "has not happened yet: it cannot be rated." in _form(page, "acceptance") or "has not happened yet" in page
    assert 'class="error-summary"' in page

    missing = applicant.post(f"{MINE}/{applications['accepted']}/ratings/acceptance/", {"comment": "好"})
    assert missing.status_code == BAD
    form = _form(main(missing), "acceptance")
    assert 'id="id_rate-acceptance-level_error"' in form
    assert 'aria-describedby="id_rate-acceptance-level_error"' in form and 'aria-invalid="true"' in form
    assert "好</textarea>" in form  # what was typed is kept
    assert '<a href="#id_rate-acceptance-level">' in main(missing)  # the summary links to the group
    assert not Rating.objects.exists()
