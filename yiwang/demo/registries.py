"""The demo city's base registries: the population and legal entities its departments would send.

Written as the files the police (公安局) and the market regulator (市场监督管理局) export — CSV with the
registries' Chinese headers — and loaded through the data hub's ordinary ingestion pipeline.
"""

from __future__ import annotations

import csv
from pathlib import Path

from yiwang.core.identifiers import id_number_birth_date, id_number_sex
from yiwang.demo.city import CITY_NAME, CityPlan
from yiwang.demo.population import generate_people, named_citizen_rows

POPULATION_HEADER = ["公民身份号码", "姓名", "性别", "出生日期", "民族", "户籍地址", "现住址", "联系电话", "所属区划"]
LEGAL_ENTITY_HEADER = [
    "统一社会信用代码", "名称", "类型", "法定代表人", "法定代表人身份证号", "注册资本(万元)", "成立日期", "住所",
    "登记状态", "所属区划", "经营范围",
]  # fmt: skip
MINORITIES = ("回族", "满族", "蒙古族", "壮族", "土家族")
ENTITY_TYPES = {"91": "有限责任公司", "92": "个体工商户", "93": "农民专业合作社"}


def _community(plan: CityPlan, id_number: str) -> tuple[str, str]:
    """A community for a person: in the district that issued their number when it is one of the city's."""
    number = int(id_number[10:17])
    district = next((item for item in plan.districts if item.code == id_number[:6]), None)
    if district is None:
        district = plan.districts[number % len(plan.districts)]
    street = district.streets[number % len(district.streets)]
    code, name = street.communities[(number // 7) % len(street.communities)]
    return code, f"{CITY_NAME}{district.name}{street.name}{name}{number % 180 + 1}号"


def write_population_file(path: Path, *, plan: CityPlan, seed: int, count: int) -> int:
    """The police's export of the population registry: named citizens, then the generated people."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(POPULATION_HEADER)
        people = [(row.real_name, row.id_number, row.phone) for row in named_citizen_rows()]
        generated = (
            (person.citizen.real_name, person.citizen.id_number, person.citizen.phone)
            for person in generate_people(seed=seed, count=count)
        )
        for real_name, id_number, phone in [*people, *generated]:
            community, address = _community(plan, id_number)
            number = int(id_number[14:17])
            writer.writerow(
                [
                    id_number,
                    real_name,
                    "男" if id_number_sex(id_number) == "male" else "女",
                    id_number_birth_date(id_number).isoformat(),
                    MINORITIES[number % len(MINORITIES)] if number % 20 == 0 else "汉族",
                    address,
                    address if number % 3 else "",
                    phone,
                    community,
                ]
            )
            rows += 1
    return rows


def write_legal_entities_file(path: Path, *, plan: CityPlan, seed: int, count: int) -> int:
    """The market regulator's export of the legal-entity registry: the named enterprise, then generated ones."""
    representative = {row.username: row for row in named_citizen_rows()}[plan.enterprise.representative]
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LEGAL_ENTITY_HEADER)
        entries = [
            (
                plan.enterprise.credit_code,
                plan.enterprise.name,
                representative.real_name,
                representative.id_number,
                plan.enterprise.business_scope,
            )
        ]
        for person in generate_people(seed=seed, count=count):
            if person.enterprise is not None:
                entries.append(
                    (
                        person.enterprise.credit_code,
                        person.enterprise.name,
                        person.enterprise.representative_name,
                        person.citizen.id_number,
                        "",  # the generated enterprises' scope is not known
                    )
                )
        for credit_code, name, representative_name, representative_id, scope in entries:
            community, address = _community(plan, representative_id)
            number = int(representative_id[14:17])
            established = id_number_birth_date(representative_id).replace(day=1)
            writer.writerow(
                [
                    credit_code,
                    name,
                    ENTITY_TYPES.get(credit_code[:2], "有限责任公司"),
                    representative_name,
                    representative_id,
                    f"{(number % 50 + 1) * 10}",
                    f"{max(established.year + 25, 1995)}-{established.month:02d}-01",
                    address,
                    "存续",
                    community,
                    scope,
                ]
            )
            rows += 1
    return rows
