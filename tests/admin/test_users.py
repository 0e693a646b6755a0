"""The admin's user pages: roles and scope changed with an audit trail, bad input explained."""
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.audit.models import AuditEntry
from tests.conftest import post_form
from tests.factories import country, make_user


def edit(client, user, **fields):
    data = {"full_name": user.full_name, "role": user.role.value, "country": str(user.country_id or ""),
            "is_active": "y" if user.is_active else "", "reason": ""}
    data.update(fields)
    data = {key: value for key, value in data.items() if value != ""}
    return post_form(client, f"/admin/users/{user.id}", data)


def test_admin_makes_a_trainee_a_country_coordinator_and_it_is_audited(admin_client, db_session):
    admin = admin_client.user
    user = make_user(Role.TRAINEE, country_code="KH")
    response = edit(admin_client, user, role="country_coordinator", reason="Appointed by the ministry")
    assert response.status_code == 302
    assert user.role is Role.COUNTRY_COORDINATOR and user.country.code == "KH"
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.role_changed")).one()
    assert entry.actor_id == admin.id and entry.object_id == user.id
    assert entry.before["role"] == "trainee" and entry.after["role"] == "country_coordinator"
    assert entry.reason == "Appointed by the ministry"
    assert "Appointed by the ministry" in admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)


def test_a_country_coordinator_needs_a_country(admin_client, db_session):
    user = make_user(Role.INSTRUCTOR)
    response = edit(admin_client, user, role="country_coordinator", country="")
    assert response.status_code == 400
    assert "Trainees and country coordinators need a country." in response.get_data(as_text=True)
    assert user.role is Role.INSTRUCTOR


def test_an_unknown_role_or_country_is_refused(admin_client):
    user = make_user(Role.INSTRUCTOR)
    assert "Please choose a role from the list." in edit(admin_client, user, role="emperor").get_data(as_text=True)
    page = edit(admin_client, user, country="12345").get_data(as_text=True)
    assert "Please choose a country from the list." in page


def test_an_admin_cannot_remove_their_own_admin_role(admin_client):
    admin = admin_client.user
    response = edit(admin_client, admin, role="trainee", country=str(country("TH").id))
    assert response.status_code == 400
    assert admin.role is Role.ADMIN


def test_deactivating_an_account_ends_its_access(admin_client, app):
    user = make_user(Role.INSTRUCTOR, full_name="Soon Gone")
    assert edit(admin_client, user, is_active="").status_code == 302
    assert user.is_active is False
    other = app.test_client()
    assert post_form(other, "/login", {"email": user.email,
                                       "password": "correct horse battery staple"}).status_code == 400


def test_users_can_be_searched_by_name_and_filtered_by_role(admin_client):
    make_user(Role.TRAINEE, full_name="Bopha Chan")
    make_user(Role.INSTRUCTOR, full_name="Bopha Instructor")
    page = admin_client.get("/admin/users?q=bopha&role=trainee").get_data(as_text=True)
    assert "Bopha Chan" in page and "Bopha Instructor" not in page
    native = make_user(Role.TRAINEE, full_name="Somchai Wongsawat")
    native.native_name = "สมชาย วงศ์สวัสดิ์"
    page = admin_client.get("/admin/users?q=สมชาย").get_data(as_text=True)
    assert "Somchai Wongsawat" in page and "Bopha Chan" not in page  # the name in the person's own script
    assert "Bopha Chan" not in admin_client.get("/admin/users?q=%25").get_data(as_text=True)  # % is not a wildcard
    assert admin_client.get("/admin/users?page=abc").status_code == 200


def test_the_outbox_shows_mail_sent_by_the_platform(client, signed_in_client):
    make_user(email="reader@example.org")
    post_form(client, "/forgot-password", {"email": "reader@example.org"})
    admin = signed_in_client(Role.ADMIN)
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "reader@example.org" in page and "Reset your password" in page


def test_the_edit_form_shows_the_current_role_and_country(admin_client):
    user = make_user(Role.COUNTRY_COORDINATOR, country_code="LA")
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert '<option selected value="country_coordinator">' in page
    assert f'<option selected value="{user.country_id}">' in page


def test_an_admin_resets_a_lost_second_factor_with_an_audit_entry(admin_client, db_session):
    from lms.core.db import utcnow

    user = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    user.totp_secret, user.two_factor_enabled_at = "JBSWY3DPEHPK3PXP", utcnow()
    response = edit(admin_client, user, reset_two_factor="y", reason="Phone stolen; identity checked by video call")
    assert response.status_code == 302 and not user.has_two_factor
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset")).one()
    assert entry.reason.startswith("Phone stolen")


def test_an_admin_edits_the_address_names_and_profile_and_the_new_address_must_be_confirmed(admin_client, app,
                                                                                            db_session):
    from lms.accounts.models import OrganisationType
    from lms.notifications.models import OutboxMail

    make_user(Role.INSTRUCTOR, email="taken@example.org")
    user = make_user(Role.TRAINEE, country_code="KH", email="old@example.org", full_name="Dara Kim")
    response = edit(admin_client, user, email="TAKEN@example.org", full_name="Dara Kim Sok")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "taken@example.org already belongs to another account." in page and 'value="Dara Kim Sok"' in page
    assert user.email == "old@example.org" and user.full_name == "Dara Kim"
    response = edit(admin_client, user, email="New@Example.org", full_name="Dara Kim Sok", native_name="ដារ៉ា គីម",
                    organisation="MPTC", position="Director", organisation_type="government")
    assert response.status_code == 302
    assert (user.email, user.full_name, user.native_name) == ("new@example.org", "Dara Kim Sok", "ដារ៉ា គីម")
    assert (user.profile.organisation, user.profile.position) == ("MPTC", "Director")
    assert user.profile.organisation_type is OrganisationType.GOVERNMENT
    assert not user.is_confirmed  # the new address is not proven yet: its owner confirms it
    mails = {mail.to_address: mail for mail in db_session.scalars(select(OutboxMail))}
    assert "/confirm/" in mails["new@example.org"].body
    assert "new@example.org" in mails["old@example.org"].body  # the old address is told
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.updated")).one()
    assert entry.before["email"] == "old@example.org" and entry.after["email"] == "new@example.org"
    assert entry.before["email_confirmed"] is True and entry.after["email_confirmed"] is False
    assert entry.after["organisation"] == "MPTC" and "role" not in entry.after  # only what changed


def test_a_new_address_for_someone_still_invited_gets_the_invitation_and_the_old_link_dies(admin_client, app,
                                                                                           db_session):
    import re

    from lms.notifications.models import OutboxMail

    post_form(admin_client, "/admin/users/new", {"email": "typo@exmaple.org", "full_name": "Noy Inthavong",
                                            "role": "instructor"})
    user = db_session.scalar(select(User).where(User.email == "typo@exmaple.org"))
    old_link = re.search(r"(/invitation/\S+)", db_session.scalars(select(OutboxMail)).one().body).group(1)
    assert edit(admin_client, user, email="noy@example.org").status_code == 302
    new_mail = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == "noy@example.org")).one()
    assert "/invitation/" in new_mail.body and user.is_invitation_pending
    assert app.test_client().get(old_link).status_code == 400


def test_staff_have_no_country_but_a_former_trainee_keeps_hers(admin_client, db_session):
    from tests.enrolment.helpers import requested, upcoming_intake

    instructor = make_user(Role.INSTRUCTOR)
    response = edit(admin_client, instructor, country=str(country("TH").id))
    assert response.status_code == 400
    assert "Only trainees and country coordinators have a country" in response.get_data(as_text=True)
    assert instructor.country_id is None
    trainee = requested(upcoming_intake(), "VN").user  # her request counts for Viet Nam
    assert edit(admin_client, trainee, role="instructor").status_code == 302
    assert trainee.role is Role.INSTRUCTOR and trainee.country.code == "VN" and trainee.profile is not None
    response = post_form(admin_client, f"/admin/users/{trainee.id}", {"role": "instructor", "country": "",
                                                                      "is_active": "y"})
    assert response.status_code == 400 and trainee.country.code == "VN"  # what her places counted for stays


def test_moving_a_trainee_keeps_her_enrolments_within_the_new_countrys_allocation(admin_client, db_session):
    from lms.enrolment.models import EnrolmentState
    from tests.enrolment.helpers import holding, set_allocation, upcoming_intake
    from tests.factories import make_programme

    programme = make_programme()
    intake = upcoming_intake(programme)
    enrolment = holding(intake, "TH")
    trainee = enrolment.user
    holding(intake, "LA")
    set_allocation(programme, "LA", 1, db_session)  # Laos's one place is taken
    response = edit(admin_client, trainee, country=str(country("LA").id))
    assert response.status_code == 400
    assert "holds a place in Test programme, where this country has no place left" in response.get_data(as_text=True)
    assert trainee.country.code == "TH"
    assert edit(admin_client, trainee, country=str(country("KH").id), reason="Moved to Phnom Penh").status_code == 302
    assert trainee.country.code == "KH" and enrolment.state is EnrolmentState.APPROVED
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.updated")).one()
    assert entry.before == {"country_id": country("TH").id} and entry.after == {"country_id": country("KH").id}
    assert entry.reason == "Moved to Phnom Penh"


def test_a_staff_member_made_a_trainee_needs_a_profile(admin_client, db_session):
    user = make_user(Role.INSTRUCTOR)
    response = edit(admin_client, user, role="trainee", country=str(country("TH").id))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Trainees need an organisation." in page
    assert "Trainee profile" in page  # the fields to fill appear
    assert edit(admin_client, user, role="trainee", country=str(country("TH").id), organisation="NBTC",
                position="Analyst", category="technician").status_code == 302
    assert user.role is Role.TRAINEE and user.profile.organisation == "NBTC"


def test_saving_an_account_on_the_demos_reserved_test_domain_works(admin_client):
    user = make_user(Role.INSTRUCTOR, email="instructor@demo.test")
    assert edit(admin_client, user, full_name="Zhang Hua").status_code == 302
    assert user.full_name == "Zhang Hua" and user.email == "instructor@demo.test"
