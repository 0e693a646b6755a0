"""Each role's signed-in client fixture is signed in as a user of that role."""
import pytest

from lms.accounts.models import Role
from tests.core.test_role_guards import HOME_HEADINGS

ROLE_CLIENTS = {
    Role.TRAINEE: "trainee_client",
    Role.INSTRUCTOR: "instructor_client",
    Role.COUNTRY_COORDINATOR: "country_coordinator_client",
    Role.PROGRAMME_COORDINATOR: "programme_coordinator_client",
    Role.ADMIN: "admin_client",
}


def test_every_role_has_a_client_fixture():
    assert set(ROLE_CLIENTS) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_role_client_is_signed_in_as_that_role(request, role):
    client = request.getfixturevalue(ROLE_CLIENTS[role])
    assert client.user.role is role
    page = client.get("/").get_data(as_text=True)
    assert HOME_HEADINGS[role] in page
    for other, heading in HOME_HEADINGS.items():
        if other is not role:
            assert heading not in page


def test_signed_in_client_takes_a_role_or_a_user(signed_in_client):
    cambodian = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="KH")
    assert cambodian.user.country.code == "KH"
    same = signed_in_client(cambodian.user)
    assert same.user is cambodian.user
    assert HOME_HEADINGS[Role.COUNTRY_COORDINATOR] in same.get("/").get_data(as_text=True)


def test_two_signed_in_clients_keep_their_own_users(trainee_client, admin_client):
    assert HOME_HEADINGS[Role.TRAINEE] in trainee_client.get("/").get_data(as_text=True)
    assert HOME_HEADINGS[Role.ADMIN] in admin_client.get("/").get_data(as_text=True)
