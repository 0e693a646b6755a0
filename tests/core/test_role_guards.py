"""Each role reaches its own pages and is refused where it does not belong."""
import pytest

from lms.accounts.models import Role
from lms.notifications.operations import send_mail
from tests.factories import make_user

ADMIN_ONLY = ["/admin/users", "/admin/users/{user_id}", "/admin/outbox", "/admin/outbox/{mail_id}"]
PROGRAMME_STAFF = ["/admin/audit"]


@pytest.fixture
def ids(db_session):
    target = make_user(Role.TRAINEE)
    mail = send_mail("someone@example.org", "Subject", "Body")
    db_session.flush()
    return {"user_id": target.id, "mail_id": mail.id}


@pytest.mark.parametrize("role", list(Role))
def test_admin_pages_admit_only_admins(signed_in_client, ids, role):
    client = signed_in_client(role)
    for path in ADMIN_ONLY:
        status = client.get(path.format(**ids)).status_code
        assert status == (200 if role is Role.ADMIN else 403), (path, role)


@pytest.mark.parametrize("role", list(Role))
def test_audit_log_admits_admins_and_programme_coordinators(signed_in_client, role):
    client = signed_in_client(role)
    expected = 200 if role in (Role.ADMIN, Role.PROGRAMME_COORDINATOR) else 403
    for path in PROGRAMME_STAFF:
        assert client.get(path).status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, ids):
    for path in ADMIN_ONLY + PROGRAMME_STAFF + ["/profile"]:
        response = client.get(path.format(**ids))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


HOME_HEADINGS = {
    Role.TRAINEE: "Your intakes",
    Role.INSTRUCTOR: "Intakes you teach",
    Role.COUNTRY_COORDINATOR: "Requests waiting for your decision",
    Role.PROGRAMME_COORDINATOR: "Oldest requests waiting for a decision",
    Role.ADMIN: "Administration",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_its_own_home_page(signed_in_client, role):
    client = signed_in_client(role)
    page = client.get("/").get_data(as_text=True)
    assert HOME_HEADINGS[role] in page
    for other, heading in HOME_HEADINGS.items():
        if other is not role:
            assert heading not in page


def test_a_deactivated_user_loses_access_at_the_next_request(admin_client, db_session):
    user = admin_client.user
    user.is_active = False
    db_session.flush()
    assert admin_client.get("/admin/users").status_code == 302
