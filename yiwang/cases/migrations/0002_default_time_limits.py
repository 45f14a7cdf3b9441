"""The default time limits (办理时限) in working days: sign within 1; 咨询 and 表扬 3, 求助 5, 投诉, 举报 and 建议 13; the
row with neither type nor category (13) applies to whatever no other row covers. Warnings one working day before."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULTS = (
    ("", 13),
    ("consultation", 3),
    ("help", 5),
    ("complaint", 13),
    ("report", 13),
    ("suggestion", 13),
    ("praise", 3),
)


def add_defaults(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("cases", "TimeLimitRule")
    for case_type, handle_days in DEFAULTS:
        if not rule.objects.filter(case_type=case_type, category=None).exists():
            rule.objects.create(
                case_type=case_type, category=None, sign_days=1, handle_days=handle_days, warning_days=1
            )


def remove_defaults(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("cases", "TimeLimitRule")
    for case_type, handle_days in DEFAULTS:
        rule.objects.filter(case_type=case_type, category=None, sign_days=1, handle_days=handle_days).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
