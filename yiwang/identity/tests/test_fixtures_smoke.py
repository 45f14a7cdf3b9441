from yiwang.identity.roles import Role


def test_accounts_cover_every_role(accounts, city):
    assert accounts.citizen.kind == "citizen"
    assert accounts.citizen.assurance_level == 2
    assert accounts.staff.department_id == city.public_security
    assert accounts.staff_other.department_id == city.civil_affairs
    assert accounts.admin.has_role(Role.PLATFORM_ADMIN)


def test_signed_in_staff_reaches_the_console(client_as):
    response = client_as("staff").get("/console/")
    assert response.status_code == 200
    assert "公安局" in response.content.decode()
