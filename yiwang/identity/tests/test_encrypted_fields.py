import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from yiwang.identity.services import id_number_index


def test_encrypted_columns_hold_no_plaintext(make_citizen):
    citizen = make_citizen("张三", id_number="11010519491231002X", phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM identity_user WHERE id = %s", [citizen.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert "11010519491231002X" not in stored_id and stored_id.startswith("v1.")
    assert "13812345678" not in stored_phone
    citizen.refresh_from_db()
    assert citizen.id_number == "11010519491231002X"


def test_encrypted_columns_cannot_be_compared_in_sql(db):
    user_model = get_user_model()
    with pytest.raises(TypeError, match="blind index"):
        user_model.objects.filter(id_number="11010519491231002X").exists()
    assert not user_model.objects.filter(id_number_index=id_number_index("11010519491231002X")).exists()
