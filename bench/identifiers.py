"""Validating national identifiers: our validators against python-stdnum on the same numbers.

    .venv/bin/python -m bench.identifiers [--count 200000] [--runs 5]

Baseline, measured in the same run: python-stdnum's `cn.ric.is_valid` and `cn.uscc.is_valid` (the
library the issue asks us to agree with). Our strict ID check also consults the platform's own divisions
(in memory after the first call); lenient mode skips the area look-up. Inputs are valid numbers with area
codes drawn from the current national table, so no validator stops early.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import time
from collections.abc import Callable


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.test_settings")
    import django

    django.setup()


def _rate(function: Callable[[str], object], values: list[str], runs: int) -> float:
    """Median validations per second over `runs` passes."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        for value in values:
            function(value)
        timings.append(time.perf_counter() - started)
    return len(values) / statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    _setup()
    from stdnum.cn import ric, uscc

    from yiwang.core import identifiers

    # No database here: the platform's own divisions are simply absent.
    identifiers.set_local_area_provider(dict)
    generator = random.Random(2026)
    current = [code for code, area in identifiers.national_areas().items() if area.current and code[2:] != "0000"]
    id_numbers = [
        identifiers.compose_id_number(
            generator.choice(current),
            datetime.date(1990, 1, 1) + datetime.timedelta(days=generator.randrange(12000)),
            generator.randrange(1000),
        )
        for _ in range(options.count)
    ]
    alphabet = identifiers.CREDIT_CODE_ALPHABET
    credit_codes = [
        identifiers.compose_credit_code(
            "91" + f"{generator.randrange(110000, 659999):06d}" + "".join(generator.choices(alphabet, k=9))
        )
        for _ in range(options.count)
    ]
    # stdnum checks the area code against the birth year: keep only numbers it accepts, for a fair race.
    id_numbers = [number for number in id_numbers if ric.is_valid(number)]

    def strict(value: str) -> str:
        return identifiers.validate_id_number(value)

    def lenient(value: str) -> str:
        return identifiers.validate_id_number(value, strict=False)

    figures = {
        "ID number, ours strict": _rate(strict, id_numbers, options.runs),
        "ID number, ours lenient": _rate(lenient, id_numbers, options.runs),
        "ID number, stdnum ric.is_valid (baseline)": _rate(ric.is_valid, id_numbers, options.runs),
        "credit code, ours strict": _rate(identifiers.validate_credit_code, credit_codes, options.runs),
        "credit code, stdnum uscc.is_valid (baseline)": _rate(uscc.is_valid, credit_codes, options.runs),
    }
    print(f"{len(id_numbers)} ID numbers, {len(credit_codes)} credit codes, median of {options.runs} runs")
    for name, rate in figures.items():
        print(f"  {name:48s} {rate:12,.0f} /s")
    id_baseline = figures["ID number, stdnum ric.is_valid (baseline)"]
    code_baseline = figures["credit code, stdnum uscc.is_valid (baseline)"]
    print(f"  ratio ours strict / stdnum (ID number):   {figures['ID number, ours strict'] / id_baseline:.1f}x")
    print(f"  ratio ours lenient / stdnum (ID number):  {figures['ID number, ours lenient'] / id_baseline:.1f}x")
    print(f"  ratio ours / stdnum (credit code):        {figures['credit code, ours strict'] / code_baseline:.1f}x")


if __name__ == "__main__":
    main()
