import datetime
from typing import Any

import pytest

from yiwang.core.identifiers import compose_id_number
from yiwang.identity import services as identity_services


@pytest.fixture
def outside_citizen(db: Any) -> Any:
    """A citizen of Beijing: an account in a database that holds no division of the demo city."""
    return identity_services.citizen_register(
        registration=identity_services.Registration(
            real_name="钱七",
            id_number=compose_id_number("110105", datetime.date(1980, 1, 2), 123),
            phone="13912345678",
            password="Yiwang-Test-2026",
        )
    )
