"""Create the heads of the audit hash chains (the writer also recreates any that are missing)."""

from typing import Any

from django.db import migrations

LANES = 256
GENESIS = "0" * 64


def create_lanes(apps: Any, schema_editor: Any) -> None:
    lane_model = apps.get_model("core", "AuditChainLane")
    lane_model.objects.bulk_create(
        [lane_model(lane=lane, last_seq=0, last_digest=GENESIS) for lane in range(LANES)], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_lanes, migrations.RunPython.noop)]
