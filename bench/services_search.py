"""Searching the service guide: `item_search` over 3,000 published items, p50 and p95 per query.

    .venv/bin/python -m bench.services_search [--items 3000] [--rounds 200]
        [--database postgres://postgres@127.0.0.1:5432/yiwang_bench_services]

Set-up (not measured): a fresh database, departments, and `--items` published items made through the catalog's
services (names from the objects and actions of real item lists; materials and results as the demo's). Then
each query runs `--rounds` times through `item_search` (abbreviations expanded, ranking, summaries built), and,
as the baseline in the same run, as a plain `name__icontains` filter over published versions returning the same
number of rows as model instances (no expansion, no ranking, no summaries). Target (issue 5): p95 under 20 ms.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

from bench.audit_write import _setup

OBJECTS = (
    "食品经营", "药品零售", "建筑工程施工", "排污", "取水", "户外广告设置", "道路运输经营", "社会保障卡",
    "居民身份证", "出生", "婚姻", "不动产", "公共场所卫生", "医师执业", "教师资格", "民办学校", "养老机构",
    "残疾人证", "最低生活保障", "住房公积金", "城市道路占用", "燃气经营", "娱乐场所经营", "旅行社业务",
    "出版物零售", "危险化学品经营", "特种设备使用", "人力资源服务", "劳务派遣经营", "机动车驾驶证",
)  # fmt: skip
ACTIONS = ("许可", "登记", "备案", "核发", "变更", "注销", "延续", "申领", "换领", "补领")
QUERIES = ("社保", "户口", "营业", "许可", "食品经营许可", "不动产登记", "登记", "证", "公积金", "无此事项")


def _make_items(count: int) -> int:
    from yiwang.core.identifiers import compose_credit_code
    from yiwang.org import services as org_services
    from yiwang.org.services import DivisionRow
    from yiwang.services.catalog import services
    from yiwang.services.catalog.services import ItemInput, MaterialInput

    org_services.division_bulk_create(
        actor=None,
        rows=[DivisionRow("410000", "河南省", "province", None), DivisionRow("419800", "明湖市", "city", "410000")],
    )
    names = ("市场监督管理局", "人力资源和社会保障局", "公安局", "住房和城乡建设局", "生态环境局", "交通运输局")
    departments = []
    for index, name in enumerate(names):
        departments.append(
            org_services.department_create(
                actor=None,
                name=name,
                credit_code=compose_credit_code(f"11419800{index + 1:09d}"),
                kind="government_department",
                division_code="419800",
            ).id
        )
    made = 0
    for number, (obj, action) in enumerate(
        itertools.islice(itertools.cycle(itertools.product(OBJECTS, ACTIONS)), count)
    ):
        department = departments[number % len(departments)]
        data = ItemInput(
            name=f"{obj}{action}" + (f"（第{number // 300 + 1}类）" if number >= 300 else ""),
            item_type="01" if action in {"许可", "核发", "延续"} else "20",
            legal_basis="《中华人民共和国行政许可法》",
            exercise_level="municipal",
            service_object="both",
            project_type="promised",
            statutory_limit=20,
            promised_limit=5,
            online_depth="3",
            visits=1,
            result_type="license" if action in {"许可", "核发"} else "other",
            result_name=f"{obj}{'许可证' if action == '许可' else '证明'}",
            materials=(
                MaterialInput("居民身份证", source="registry", source_reference="population:id_number"),
                MaterialInput(f"{obj}{action}申请表"),
                MaterialInput("营业执照", source="license", source_reference="business-license"),
            ),
        )
        version = services.item_create(
            actor=None,
            department_id=department,
            catalog_code=f"{number:012d}",
            task_code=f"T{number:06d}",
            data=data,
        )
        services.item_publish(actor=None, version_id=version.pk)
        made += 1
    return made


def _timings(run: object, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--database", default=None)
    options = parser.parse_args()
    _setup(options.database)
    from yiwang.services.catalog.selectors import item_search
    from yiwang.services.models import ItemVersion, VersionStatus

    started = time.perf_counter()
    made = _make_items(options.items)
    print(f"{made:,} published items made in {time.perf_counter() - started:.1f} s (not measured)")
    print(f"{'query':<14} {'hits':>5} {'search p50':>11} {'p95':>8} {'baseline p50':>13} {'p95':>8} {'ratio p95':>10}")
    all_search: list[float] = []
    all_plain: list[float] = []
    for query in QUERIES:
        hits = len(item_search(query=query))

        def plain(query: str = query, hits: int = hits) -> None:
            rows = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED, name__icontains=query)
            list(rows[: max(hits, 1)])

        search = _timings(lambda query=query: item_search(query=query), options.rounds)
        baseline = _timings(plain, options.rounds)
        all_search += search
        all_plain += baseline
        print(
            f"{query:<14} {hits:>5} {statistics.median(search):>9.2f}ms {_percentile(search, 0.95):>6.2f}ms "
            f"{statistics.median(baseline):>11.2f}ms {_percentile(baseline, 0.95):>6.2f}ms "
            f"{_percentile(search, 0.95) / _percentile(baseline, 0.95):>9.1f}x"
        )
    p95 = _percentile(all_search, 0.95)
    print(
        f"all queries: search p50 {statistics.median(all_search):.2f} ms, p95 {p95:.2f} ms; baseline p50 "
        f"{statistics.median(all_plain):.2f} ms, p95 {_percentile(all_plain, 0.95):.2f} ms; ratio of p95 "
        f"{p95 / _percentile(all_plain, 0.95):.1f}"
    )
    print(f"target p95 < 20 ms: {'met' if p95 < 20 else 'MISSED'} ({p95:.2f} ms)")


if __name__ == "__main__":
    main()
