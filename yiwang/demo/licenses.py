"""The demo city's e-licenses (电子证照): seals, the license types its items issue or fetch, and a few licenses
already issued, so that the featured citizen's and enterprise's 证照夹 is not empty.

A license type's code is GB/T 36904's: the defining ministry's credit code and three digits. 住房和城乡建设部's
code is its real one; the other ministries' codes are fictional (valid credit codes, made for the demo). The
demo's items name the e-licenses they fetch by slug (`fetched_license("营业执照", "business-license")`) and the
license their approval issues by slug (`DemoItem.license_type`); `license_type_code` turns the slugs of the types
defined here into their codes, in this one place. Loading again adds only what is missing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yiwang.core.errors import NotFound
from yiwang.core.identifiers import compose_credit_code, id_number_birth_date, id_number_sex
from yiwang.datahub.catalog.selectors import resource_schema
from yiwang.datahub.registries import LEGAL_ENTITIES
from yiwang.datahub.registry.selectors import record_get
from yiwang.demo.city import BIG_DATA_BUREAU, CityPlan, organisation_code
from yiwang.identity import selectors as identity_selectors
from yiwang.licenses import selectors as license_selectors
from yiwang.licenses import services as license_services
from yiwang.licenses.services import ElementInput as Element
from yiwang.org import selectors as org_selectors

PERSON, ENTERPRISE = "person", "enterprise"
# The city has no 行政审批服务局: the big-data bureau, which runs the government service centre, holds the
# administrative-approval seal (行政审批专用章).
APPROVAL_BUREAU = BIG_DATA_BUREAU
APPROVAL_SEAL = "行政审批专用章"
# Who holds the demo's issued licenses: the citizen who opens 证照夹, and the enterprise whose agent applies for
# 食品经营许可 and shares its 营业执照 (免提交).
FEATURED_CITIZEN = "citizen"
CARD_BANK = "中国工商银行明湖分行"
BIRTH_INSTITUTION = "明湖市人民医院"


def _ministry_code(body: str) -> str:
    """A valid credit code of a national body (registered with 机构编制, division 100000)."""
    return compose_credit_code("11100000" + organisation_code(body))


MARKET_REGULATION = _ministry_code("D1000001")  # 国家市场监督管理总局 (fictional code)
HEALTH_COMMISSION = _ministry_code("D1000002")  # 国家卫生健康委员会 (fictional code)
TRANSPORT_MINISTRY = _ministry_code("D1000003")  # 交通运输部 (fictional code)
SOCIAL_SECURITY_MINISTRY = _ministry_code("D1000004")  # 人力资源和社会保障部 (fictional code)
CIVIL_AFFAIRS_MINISTRY = _ministry_code("D1000005")  # 民政部 (fictional code)
HOUSING_MINISTRY = "11100000000013338W"  # 住房和城乡建设部 (its real code)


@dataclass(frozen=True)
class DemoLicenseType:
    """A license type of the demo; `slug` is how the demo's items name it, `department` its issuer in the city."""

    slug: str
    code: str
    name: str
    department: str
    holder_kind: str
    validity_years: int | None  # None: 长期
    elements: tuple[Element, ...]


# Element codes are the names of the form fields the applicant fills in (the approval copies the answers into the
# license), and the legal-entity registry's element codes where the form pre-fills from it.
LICENSE_TYPES = (
    DemoLicenseType(
        "business-license", f"{MARKET_REGULATION}001", "营业执照", "市场监督管理局", ENTERPRISE, None,
        (
            Element("name", "名称", required=True),
            Element("type", "类型", required=True),
            Element("legal_representative", "法定代表人", required=True),
            Element("registered_capital", "注册资本（万元）"),
            Element("established_on", "成立日期", required=True),
            Element("address", "住所", required=True),
            Element("scope", "经营范围", required=True),
        ),
    ),
    DemoLicenseType(
        "food-business-license", f"{MARKET_REGULATION}002", "食品经营许可证", "市场监督管理局", ENTERPRISE, 5,
        (
            Element("name", "经营者名称", required=True),
            Element("legal_representative", "法定代表人（负责人）", required=True),
            Element("address", "住所", required=True),
            Element("premises", "经营场所", required=True),
            Element("business_form", "主体业态", required=True),
            Element("business_items", "经营项目", required=True),
        ),
    ),
    DemoLicenseType(
        "birth-medical-certificate", f"{HEALTH_COMMISSION}001", "出生医学证明", "卫生健康委员会", PERSON, None,
        (
            Element("certificate_number", "出生医学证明编号", required=True),
            Element("newborn_name", "新生儿姓名", required=True),
            Element("sex", "性别", required=True),
            Element("born_on", "出生日期", required=True),
            Element("birthplace", "出生地点", required=True),
            Element("gestational_weeks", "出生孕周"),
            Element("weight", "出生体重（克）"),
            Element("length", "出生身长（厘米）"),
            Element("mother_name", "母亲姓名"),
            Element("father_name", "父亲姓名"),
            Element("institution", "接生机构名称", required=True),
        ),
    ),
    DemoLicenseType(
        # 《建筑工程施工许可管理办法》第十条: the permit lapses when work does not start within three months (or
        # the extensions), not after a number of years.
        "construction-permit", f"{HOUSING_MINISTRY}001", "建筑工程施工许可证", "住房和城乡建设局", ENTERPRISE, None,
        (
            Element("project_name", "工程名称", required=True),
            Element("construction_address", "建设地址", required=True),
            Element("construction_scale", "建设规模", required=True),
            Element("contract_price", "合同价格（万元）", required=True),
            Element("design_unit", "设计单位", required=True),
            Element("construction_unit", "施工单位", required=True),
            Element("supervision_unit", "监理单位"),
            Element("contract_period", "合同工期（日历天）", required=True),
        ),
    ),
    DemoLicenseType(
        "road-transport-business-license", f"{TRANSPORT_MINISTRY}001", "道路运输经营许可证", "交通运输局",
        ENTERPRISE, 4,
        (
            Element("name", "业户名称", required=True),
            Element("address", "地址", required=True),
            Element("scope", "经营范围", required=True),
        ),
    ),
    DemoLicenseType(
        "social-security-card", f"{SOCIAL_SECURITY_MINISTRY}001", "社会保障卡", "人力资源和社会保障局", PERSON, 10,
        (
            Element("card_number", "卡号"),
            Element("bank", "金融账户开户银行", required=True),
        ),
    ),
    DemoLicenseType(
        # Not in the issue's list: the result of 内地居民结婚登记, which six other items fetch.
        "marriage-certificate", f"{CIVIL_AFFAIRS_MINISTRY}001", "结婚证", "民政局", PERSON, None,
        (
            Element("spouse_name", "配偶姓名", required=True),
            Element("spouse_id_number", "配偶身份证件号码", required=True),
        ),
    ),
)  # fmt: skip
LICENSE_TYPE_CODES = {license_type.slug: license_type.code for license_type in LICENSE_TYPES}


def license_type_code(slug: str) -> str:
    """The type code of a demo license type named by its slug; any other reference as it is."""
    return LICENSE_TYPE_CODES.get(slug, slug)


def issuing_departments() -> list[str]:
    """The departments that issue the demo's license types, in the types' order."""
    return list(dict.fromkeys(license_type.department for license_type in LICENSE_TYPES))


def _department_id(name: str) -> int:
    department = org_selectors.department_get_by_name(name=name)
    if department is None:
        raise NotFound(f"The demo city's {name} is missing.")
    return department.id


def _load_seals() -> tuple[int, int]:
    """An official seal for each issuing department and the approval seal, unless one is in use already."""
    wanted = [(name, "") for name in issuing_departments()] + [(APPROVAL_BUREAU, APPROVAL_SEAL)]
    now = timezone.now()
    in_use = {
        seal.name
        for seal in license_selectors.seal_directory(with_revoked_licenses=False).seals.values()
        if seal.status == "active" and seal.valid_from <= now <= seal.valid_until
    }
    created = 0
    for department, purpose in wanted:
        if department + purpose in in_use:
            continue
        license_services.seal_create(
            actor=None, data=license_services.SealInput(department_id=_department_id(department), purpose=purpose)
        )
        created += 1
    return len(wanted), created


def _load_types() -> int:
    """The demo's license types that are not stored yet."""
    stored = {license_type.code for license_type in license_selectors.license_types()}
    created = 0
    for demo in LICENSE_TYPES:
        if demo.code in stored:
            continue
        license_services.license_type_save(
            actor=None,
            data=license_services.LicenseTypeInput(
                code=demo.code,
                name=demo.name,
                department_id=_department_id(demo.department),
                holder_kind=demo.holder_kind,
                elements=demo.elements,
                validity_years=demo.validity_years,
            ),
        )
        created += 1
    return created


def _digits(text: str, count: int) -> str:
    """`count` digits that follow from a text (demo card and certificate numbers, the same for every load)."""
    return str(int(hashlib.sha256(text.encode()).hexdigest(), 16) % 10**count).zfill(count)


def _card(id_number: str) -> dict[str, str]:
    return {"card_number": f"M{_digits(id_number + ':card', 8)}", "bank": CARD_BANK}


def _birth_certificate(plan: CityPlan, user: Any) -> dict[str, str]:
    """The 出生医学证明 of a named citizen born in one of the city's districts ("for themself": the demo has no
    newborns)."""
    named = next(citizen for citizen in plan.citizens if citizen.username == user.username)
    district = next(district for district in plan.districts if district.code == named.district_code)
    return {
        "certificate_number": f"Q41{_digits(user.id_number + ':birth', 7)}",
        "newborn_name": user.real_name,
        "sex": "男" if id_number_sex(user.id_number) == "male" else "女",
        "born_on": id_number_birth_date(user.id_number).isoformat(),
        "birthplace": f"河南省明湖市{district.name}",
        "gestational_weeks": "39",
        "weight": "3350",
        "length": "50",
        "institution": BIRTH_INSTITUTION,
    }


def _business_license(credit_code: str) -> dict[str, str]:
    """The 营业执照's elements as the legal-entity registry holds them."""
    record = record_get(schema=resource_schema(slug=LEGAL_ENTITIES), key_values={"credit_code": credit_code})
    if record is None:
        raise NotFound(f"The legal-entity registry has no record of {credit_code}.")
    values = record.values
    elements = {
        "name": values.get("name", ""),
        "type": values.get("entity_type", ""),
        "legal_representative": values.get("legal_representative", ""),
        "registered_capital": values.get("registered_capital", ""),
        "established_on": values.get("established_on", ""),
        "address": values.get("address", ""),
        "scope": values.get("business_scope", ""),
    }
    return {code: value for code, value in elements.items() if value}


def _user(username: str) -> Any:
    user = identity_selectors.user_find_by_login(username)
    if user is None:
        raise NotFound(f"The demo's {username} is missing.")
    return user


def _issue_once(type_code: str, holder: Any, enterprise_id: int | None, elements: dict[str, str]) -> int:
    """Issue a license of this type unless the holder already has a valid one; 1 when issued."""
    held = license_selectors.licenses_held_of_type(actor=holder, type_code=type_code)
    if any(license.enterprise_id == enterprise_id for license in held):
        return 0
    license_services.license_issue_direct(
        actor=None,
        type_code=type_code,
        holder_user_id=holder.pk,
        enterprise_id=enterprise_id,
        elements=elements,
    )
    return 1


def _issue_licenses(plan: CityPlan) -> tuple[int, int]:
    """A 社会保障卡 for each named citizen, the featured citizen's 出生医学证明, the featured enterprise's 营业执照."""
    card = LICENSE_TYPE_CODES["social-security-card"]
    planned = 0
    issued = 0
    for named in plan.citizens:
        user = _user(named.username)
        issued += _issue_once(card, user, None, _card(user.id_number))
        planned += 1
    citizen = _user(FEATURED_CITIZEN)
    birth = LICENSE_TYPE_CODES["birth-medical-certificate"]
    issued += _issue_once(birth, citizen, None, _birth_certificate(plan, citizen))
    representative = _user(plan.enterprise.representative)
    links = identity_selectors.enterprises_for(representative)
    link = next((link for link in links if link.credit_code == plan.enterprise.credit_code), None)
    if link is None:
        raise NotFound(f"The demo's {plan.enterprise.name} is missing.")
    business = LICENSE_TYPE_CODES["business-license"]
    issued += _issue_once(business, representative, link.enterprise_id, _business_license(link.credit_code))
    return planned + 2, issued


def load_licenses(*, plan: CityPlan) -> dict[str, int]:
    """Seals, license types and the featured holders' licenses, adding only what is missing; returns the counts
    of each and how many of them this load added."""
    seals, seals_added = _load_seals()
    types_added = _load_types()
    licenses, licenses_added = _issue_licenses(plan)
    return {
        "seals": seals,
        "types": len(LICENSE_TYPES),
        "licenses": licenses,
        "added": seals_added + types_added + licenses_added,
    }
