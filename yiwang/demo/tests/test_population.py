import datetime

import pytest

from yiwang.core.identifiers import (
    id_number_birth_date,
    id_number_sex,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from yiwang.demo.city import city_plan
from yiwang.demo.population import (
    DISTRICT_CODES,
    SCALES,
    IdNumberIssuer,
    generate_people,
    named_citizen_rows,
    outside_areas,
)
from yiwang.identity.services import validated_real_name
from yiwang.org import services as org_services


def test_scales():
    assert SCALES == {"small": 1_000, "medium": 100_000, "large": 1_000_000}


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_people():
    first = list(generate_people(seed=7, count=500))
    again = list(generate_people(seed=7, count=500))
    other = list(generate_people(seed=8, count=500))
    assert first == again
    assert len(first) == 500
    # Two seeds can meet on one ID number by chance (same area, birthday and sex), but hardly ever.
    shared = {person.citizen.id_number for person in first} & {person.citizen.id_number for person in other}
    assert len(shared) < 5
    assert [person.citizen.real_name for person in first] != [person.citizen.real_name for person in other]
    assert [person.citizen.phone for person in first] != [person.citizen.phone for person in other]


def test_a_shorter_run_is_the_start_of_a_longer_one():
    # Resuming an interrupted load depends on this.
    assert list(generate_people(seed=3, count=100)) == list(generate_people(seed=3, count=300))[:100]


def test_identifiers_and_usernames_are_unique_and_apart_from_the_named_citizens():
    people = list(generate_people(seed=2026, count=20_000))
    named = named_citizen_rows()
    id_numbers = [person.citizen.id_number for person in people] + [row.id_number for row in named]
    phones = [person.citizen.phone for person in people] + [row.phone for row in named]
    usernames = [person.citizen.username for person in people] + [row.username for row in named]
    assert len(set(id_numbers)) == len(id_numbers) == 20_003
    assert len(set(phones)) == len(phones) == 20_003
    assert len(set(usernames)) == len(usernames) == 20_003


def test_people_look_like_people():
    people = list(generate_people(seed=2026, count=3_000))
    areas = set()
    for person in people:
        citizen = person.citizen
        assert validated_real_name(citizen.real_name) == citizen.real_name
        assert 2 <= len(citizen.real_name) <= 4
        assert validate_phone(citizen.phone) == citizen.phone == citizen.username
        assert len(citizen.phone) == 11
        born = id_number_birth_date(citizen.id_number)
        assert datetime.date(1940, 1, 1) <= born <= datetime.date(2008, 12, 31)
        areas.add(citizen.id_number[:6])
    in_city = sum(person.citizen.id_number[:6] in DISTRICT_CODES for person in people)
    assert 0.8 < in_city / len(people) < 0.9
    assert set(DISTRICT_CODES) <= areas
    assert areas - set(DISTRICT_CODES) <= set(outside_areas(2026))
    surnames = [person.citizen.real_name[0] for person in people]
    assert surnames.count("王") > surnames.count("孔") * 5


def test_the_issuer_gives_men_odd_and_women_even_sequence_codes_until_a_day_is_full():
    issuer = IdNumberIssuer()
    born = datetime.date(1980, 5, 17)
    men = [issuer.issue(0, "419802", born, True) for _ in range(500)]
    women = [issuer.issue(0, "419802", born, False) for _ in range(500)]
    assert all(number is not None and id_number_sex(number) == "male" for number in men)
    assert all(number is not None and id_number_sex(number) == "female" for number in women)
    assert len(set(men) | set(women)) == 1000
    assert issuer.issue(0, "419802", born, True) is None


def test_named_citizens_are_fixed_whatever_the_seed():
    rows = named_citizen_rows()
    assert [(row.username, row.real_name) for row in rows] == [
        ("citizen", "张明"),
        ("boss", "王建国"),
        ("agent", "李娜"),
    ]
    assert [id_number_sex(row.id_number) for row in rows] == ["male", "male", "female"]
    assert rows[0].id_number[:14] == "41980219850315"


def test_about_one_person_in_ten_represents_an_enterprise_with_a_valid_credit_code():
    people = list(generate_people(seed=2026, count=5_000))
    enterprises = [person.enterprise for person in people if person.enterprise is not None]
    assert 400 <= len(enterprises) <= 600
    assert len({enterprise.credit_code for enterprise in enterprises}) == len(enterprises)
    assert len({enterprise.name for enterprise in enterprises}) == len(enterprises)
    for person in people:
        enterprise = person.enterprise
        if enterprise is None:
            continue
        assert validate_credit_code(enterprise.credit_code, strict=True) == enterprise.credit_code
        assert enterprise.credit_code[:2] in {"91", "92", "93"}
        assert enterprise.credit_code[2:8] in DISTRICT_CODES
        assert enterprise.representative_username == person.citizen.username
        assert enterprise.representative_name == person.citizen.real_name
        assert id_number_birth_date(person.citizen.id_number).year <= 2002
    company_names = [enterprise.name for enterprise in enterprises if enterprise.credit_code.startswith("91")]
    assert all(name.startswith("明湖") and name.endswith("公司") for name in company_names)


@pytest.mark.django_db
def test_every_id_number_passes_strict_validation_once_the_city_exists():
    org_services.division_bulk_create(actor=None, rows=list(city_plan().divisions))
    people = list(generate_people(seed=2026, count=5_000))
    for row in [person.citizen for person in people] + list(named_citizen_rows()):
        assert validate_id_number(row.id_number, strict=True) == row.id_number
