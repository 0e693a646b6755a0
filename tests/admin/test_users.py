"""The admin's user pages: roles and scope changed with an audit trail, bad input explained."""
from sqlalchemy import select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from tests.conftest import post_form, sign_in
from tests.factories import country, make_user


def edit(client, user, **fields):
    data = {"full_name": user.full_name, "role": user.role.value, "country": str(user.country_id or ""),
            "is_active": "y" if user.is_active else "", "reason": ""}
    data.update(fields)
    data = {key: value for key, value in data.items() if value != ""}
    return post_form(client, f"/admin/users/{user.id}", data)


def test_admin_makes_a_trainee_a_country_coordinator_and_it_is_audited(client, db_session):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.TRAINEE, country_code="KH")
    sign_in(client, admin)
    response = edit(client, user, role="country_coordinator", reason="Appointed by the ministry")
    assert response.status_code == 302
    assert user.role is Role.COUNTRY_COORDINATOR and user.country.code == "KH"
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.role_changed")).one()
    assert entry.actor_id == admin.id and entry.object_id == user.id
    assert entry.before["role"] == "trainee" and entry.after["role"] == "country_coordinator"
    assert entry.reason == "Appointed by the ministry"
    assert "Appointed by the ministry" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)


def test_a_country_coordinator_needs_a_country(client, db_session):
    sign_in(client, make_user(Role.ADMIN))
    user = make_user(Role.INSTRUCTOR)
    response = edit(client, user, role="country_coordinator", country="")
    assert response.status_code == 400
    assert "Trainees and country coordinators need a country." in response.get_data(as_text=True)
    assert user.role is Role.INSTRUCTOR


def test_an_unknown_role_or_country_is_refused(client):
    sign_in(client, make_user(Role.ADMIN))
    user = make_user(Role.INSTRUCTOR)
    assert "Please choose a role from the list." in edit(client, user, role="emperor").get_data(as_text=True)
    page = edit(client, user, country="12345").get_data(as_text=True)
    assert "Please choose a country from the list." in page


def test_an_admin_cannot_remove_their_own_admin_role(client):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    response = edit(client, admin, role="trainee", country=str(country("TH").id))
    assert response.status_code == 400
    assert admin.role is Role.ADMIN


def test_deactivating_an_account_ends_its_access(client, app):
    sign_in(client, make_user(Role.ADMIN))
    user = make_user(Role.INSTRUCTOR, full_name="Soon Gone")
    assert edit(client, user, is_active="").status_code == 302
    assert user.is_active is False
    other = app.test_client()
    assert post_form(other, "/login", {"email": user.email, "password": "correct horse battery staple"}).status_code == 400


def test_users_can_be_searched_by_name_and_filtered_by_role(client):
    sign_in(client, make_user(Role.ADMIN))
    make_user(Role.TRAINEE, full_name="Bopha Chan")
    make_user(Role.INSTRUCTOR, full_name="Bopha Instructor")
    page = client.get("/admin/users?q=bopha&role=trainee").get_data(as_text=True)
    assert "Bopha Chan" in page and "Bopha Instructor" not in page
    native = make_user(Role.TRAINEE, full_name="Somchai Wongsawat")
    native.native_name = "สมชาย วงศ์สวัสดิ์"
    page = client.get("/admin/users?q=สมชาย").get_data(as_text=True)
    assert "Somchai Wongsawat" in page and "Bopha Chan" not in page  # the name in the person's own script
    assert "Bopha Chan" not in client.get("/admin/users?q=%25").get_data(as_text=True)  # % is not a wildcard
    assert client.get("/admin/users?page=abc").status_code == 200


def test_the_outbox_shows_mail_sent_by_the_platform(client):
    make_user(email="reader@example.org")
    post_form(client, "/forgot-password", {"email": "reader@example.org"})
    sign_in(client, make_user(Role.ADMIN))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "reader@example.org" in page and "Reset your password" in page


def test_the_edit_form_shows_the_current_role_and_country(client):
    sign_in(client, make_user(Role.ADMIN))
    user = make_user(Role.COUNTRY_COORDINATOR, country_code="LA")
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert '<option selected value="country_coordinator">' in page
    assert f'<option selected value="{user.country_id}">' in page


def test_an_admin_resets_a_lost_second_factor_with_an_audit_entry(client, db_session):
    from lms.core.db import utcnow

    sign_in(client, make_user(Role.ADMIN))
    user = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    user.totp_secret, user.two_factor_enabled_at = "JBSWY3DPEHPK3PXP", utcnow()
    response = edit(client, user, reset_two_factor="y", reason="Phone stolen; identity checked by video call")
    assert response.status_code == 302 and not user.has_two_factor
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset")).one()
    assert entry.reason.startswith("Phone stolen")
