"""Searching Chinese text: the terms a query stands for, with the abbreviations people type expanded.

Chinese has no spaces to split on, so callers match each term as a substring; an abbreviation is not a substring
of what it abbreviates (社保 is not in 社会保险), hence the table.
"""

from __future__ import annotations

# Abbreviations people type for what catalogs spell out (社保 is not a substring of 社会保险).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "社保": ("社会保险", "社会保障", "社保"),
    "医保": ("医疗保险", "医疗保障", "医保"),
    "低保": ("最低生活保障", "低保"),
    "公积金": ("住房公积金", "公积金"),
    "户籍": ("户籍", "户口", "常住人口"),
    "户口": ("户口", "户籍"),
    "身份证": ("身份证", "公民身份号码"),
    "营业执照": ("营业执照", "市场主体", "法人单位"),
    "企业": ("企业", "法人单位", "市场主体"),
    "不动产": ("不动产", "房屋", "土地"),
    "双公示": ("行政许可", "行政处罚", "双公示"),
    "GDP": ("地区生产总值", "GDP"),
    "营业": ("营业", "营业执照", "个体工商户"),
    "驾照": ("驾照", "驾驶证"),
}


def search_terms(query: str) -> list[str]:
    """The terms a query stands for: itself, its known expansions, and its space-separated words."""
    words = [word for word in query.replace("，", " ").replace(",", " ").split() if word]
    terms: list[str] = []
    for word in words or [query.strip()]:
        for term in SYNONYMS.get(word, (word,)):
            if term and term not in terms:
                terms.append(term)
    return terms
