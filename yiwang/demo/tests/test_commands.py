import dataclasses
import io

import pytest
from django.core.management import CommandError, call_command

from yiwang.demo.selectors import demo_city
from yiwang.identity import selectors as identity_selectors


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_bootstrap_loads_the_small_demo_into_an_empty_database_once(db):
    first = run("bootstrap")
    assert identity_selectors.user_count_by_kind() == {"citizen": 1003, "staff": 83}
    assert demo_city() is not None
    assert "demo city loaded in" in first
    assert "Password of every demo account: Yiwang-Demo-2026" in first
    assert "authenticator app (TOTP) at their first login" in first
    lines = first.splitlines()
    assert any(line.split()[:4] == ["admin", "周建国", "Platform", "administrator"] for line in lines)
    assert any(line.split()[:2] == ["boss", "王建国"] and "明湖示范科技有限公司" in line for line in lines)

    second = run("bootstrap")
    assert identity_selectors.user_count_by_kind() == {"citizen": 1003, "staff": 83}
    assert "demo city loaded in" not in second
    assert "Password of every demo account: Yiwang-Demo-2026" in second


def test_bootstrap_leaves_a_database_with_accounts_alone(outside_citizen):
    output = run("bootstrap")
    assert identity_selectors.user_count_by_kind() == {"citizen": 1, "staff": 0}
    assert "no demo city in this database" in output


def test_demo_loads_and_prints_the_logins(db):
    output = run("demo", "--scale", "small", "--people", "50", "--seed", "9")
    assert identity_selectors.user_count_by_kind() == {"citizen": 53, "staff": 83}
    assert "demo city loaded in" in output
    assert "dispatcher" in output


def test_demo_refuses_a_database_with_accounts(outside_citizen):
    with pytest.raises(CommandError, match=r"already holds 1 account\. Nothing was loaded"):
        run("demo", "--scale", "small")
    assert identity_selectors.user_count_by_kind() == {"citizen": 1, "staff": 0}


def test_demo_refuses_a_second_demo_city(db):
    run("demo", "--people", "10")
    with pytest.raises(CommandError, match="already holds the demo city"):
        run("demo", "--people", "10")
    assert identity_selectors.user_count_by_kind() == {"citizen": 13, "staff": 83}


def test_production_never_gets_the_demo_city_by_accident(db, settings):
    settings.ENV = dataclasses.replace(settings.ENV, production=True)
    output = run("bootstrap")
    assert "the demo city is never loaded" in output
    with pytest.raises(CommandError, match="YIWANG_ENV is production"):
        run("demo", "--people", "10")
    assert identity_selectors.user_count_by_kind() == {"citizen": 0, "staff": 0}
    run("demo", "--people", "10", "--allow-production")
    assert identity_selectors.user_count_by_kind() == {"citizen": 13, "staff": 83}
