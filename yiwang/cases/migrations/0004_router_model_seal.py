"""Routing models are sealed with a keyed HMAC-SM3 instead of a plain SM3 digest (ADR 0021).

A stored model whose plain digest still matches its payload is re-sealed; any other keeps its old value and is
refused when loaded, as before (train a new one).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from yiwang.core.crypto import constant_time_equal, derive_key, hmac_sm3, sm3_hex

# As `yiwang.cases.routing.store.SEAL_PURPOSE` when this migration was written (a migration does not follow code).
SEAL_PURPOSE = "cases/router-model"


def seal_models(apps: Any, schema_editor: Any) -> None:
    key = derive_key(SEAL_PURPOSE)
    router_model = apps.get_model("cases", "RouterModel")
    for row in router_model.objects.only("id", "payload", "digest").iterator(chunk_size=1):
        payload = bytes(row.payload)
        if constant_time_equal(sm3_hex(payload), row.digest):
            router_model.objects.filter(pk=row.pk).update(digest=hmac_sm3(key, payload).hex())


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_return_requested_by_optional")]

    operations = [migrations.RunPython(seal_models, migrations.RunPython.noop, elidable=True)]
