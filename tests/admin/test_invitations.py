"""The admin invites people of any role: the account waits for the password the person chooses from the mail."""
import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from lms.accounts.models import Category, Role, User
from lms.audit.models import AuditEntry
from lms.core import clock
from lms.notifications.models import MailStatus, OutboxMail
from tests.conftest import csrf_token, post_form
from tests.factories import country, make_user


def invite(client, **fields):
    data = {"email": "sokha.chan@example.org", "full_name": "Sokha Chan", "native_name": "សុខា ចាន់",
            "role": "country_coordinator", "country": str(country("KH").id)}
    data.update(fields)
    return post_form(client, "/admin/users/new", {key: value for key, value in data.items() if value != ""})


def mails_to(db_session, address: str) -> list[OutboxMail]:
    return db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == address)
                              .order_by(OutboxMail.id)).all()


def invitation_path(mail: OutboxMail) -> str:
    return re.search(r"https://training\.example\.org(/invitation/\S+)", mail.body).group(1)


def accept(client, path: str, password: str = "a long and private sentence"):
    return post_form(client, path, {"password": password, "confirm_password": password})


def test_an_admin_invites_a_country_coordinator_who_chooses_a_password_and_signs_in(signed_in_client, app,
                                                                                   db_session):
    admin = make_user(Role.ADMIN, full_name="Aroon Admin")
    client = signed_in_client(admin)
    response = invite(client, email="Sokha.Chan@Example.org")
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "sokha.chan@example.org"))
    assert response.location.endswith(f"/admin/users/{user.id}")
    assert user.role is Role.COUNTRY_COORDINATOR and user.country.code == "KH" and user.native_name == "សុខា ចាន់"
    assert user.is_invitation_pending and not user.is_confirmed
    [mail] = mails_to(db_session, user.email)
    assert mail.status is MailStatus.PENDING  # in the outbox; the worker sends it, never the request
    assert "Aroon Admin has created your account" in mail.body and "Country coordinator" in mail.body
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.invited")).one()
    assert entry.actor_id == admin.id and entry.object_id == user.id and entry.after["role"] == "country_coordinator"
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "no password chosen yet" in page and "Send a new invitation" in page

    person = app.test_client()
    path = invitation_path(mail)
    assert "Sokha Chan" in person.get(path).get_data(as_text=True)
    assert accept(person, path).status_code == 302
    assert not user.is_invitation_pending and user.is_confirmed
    assert accept(person, path).status_code == 400  # a link works once
    assert post_form(person, "/login", {"email": user.email, "password": "a long and private sentence"}
                     ).status_code == 302


def test_every_role_can_be_invited_and_a_trainee_gets_a_profile(admin_client, db_session):
    for number, role in enumerate(("instructor", "programme_coordinator", "admin")):
        assert invite(admin_client, email=f"staff{number}@example.org", role=role, country="").status_code == 302
    assert invite(admin_client).status_code == 302  # a country coordinator, for Cambodia
    response = invite(admin_client, email="trainee@example.org", role="trainee", country=str(country("LA").id),
                      organisation="Lao Telecom", position="Engineer", organisation_type="business",
                      category="technician")
    assert response.status_code == 302
    trainee = db_session.scalar(select(User).where(User.email == "trainee@example.org"))
    assert trainee.profile.organisation == "Lao Telecom" and trainee.profile.category is Category.TECHNICIAN
    assert trainee.time_zone == "Asia/Vientiane"
    roles = {user.role for user in db_session.scalars(select(User).where(User.invited_at.is_not(None)))}
    assert roles == set(Role)


def test_bad_invitations_say_why_and_keep_what_was_typed(admin_client, db_session):
    make_user(Role.INSTRUCTOR, email="taken@example.org")
    before = db_session.scalar(select(func.count()).select_from(User))
    cases = [
        ({"country": ""}, "Trainees and country coordinators need a country."),
        ({"role": "admin"}, "Only trainees and country coordinators have a country"),
        ({"email": "TAKEN@example.org"}, "taken@example.org already belongs to another account."),
        ({"email": "not-an-address"}, "Please enter a valid e-mail address"),
        ({"role": "trainee", "position": "Engineer", "category": "technician"}, "Trainees need an organisation."),
        ({"role": "trainee", "organisation": "MPTC", "position": "Engineer"}, "Trainees need a category."),
        ({"role": "emperor"}, "Please choose a role from the list."),
    ]
    for fields, message in cases:
        response = invite(admin_client, **fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page, fields
        assert 'value="Sokha Chan"' in page and 'value="សុខា ចាន់"' in page  # nothing typed is lost
    assert db_session.scalar(select(func.count()).select_from(User)) == before
    assert not mails_to(db_session, "sokha.chan@example.org")


def test_a_new_invitation_voids_the_old_link_and_only_waiting_people_get_the_button(admin_client, app, db_session):
    invite(admin_client)
    user = db_session.scalar(select(User).where(User.email == "sokha.chan@example.org"))
    first = invitation_path(mails_to(db_session, user.email)[0])
    response = post_form(admin_client, f"/admin/users/{user.id}/invitation?back=role%3Dcountry_coordinator", {},
                         form_url=f"/admin/users/{user.id}")
    assert response.status_code == 302 and "back=role" in response.location
    second = invitation_path(mails_to(db_session, user.email)[1])
    person = app.test_client()
    assert person.get(first).status_code == 400  # the old link stops working
    assert person.get(second).status_code == 200
    assert db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.invitation_resent")).one()

    assert accept(person, second).status_code == 302
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Send a new invitation" not in page
    response = post_form(admin_client, f"/admin/users/{user.id}/invitation", {}, form_url=f"/admin/users/{user.id}")
    assert "has already chosen a password" in admin_client.get(response.location).get_data(as_text=True)
    assert len(mails_to(db_session, user.email)) == 2


def test_an_invitation_expires_after_a_week(admin_client, app, db_session):
    invite(admin_client)
    path = invitation_path(mails_to(db_session, "sokha.chan@example.org")[0])
    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        response = app.test_client().get(path)
    assert response.status_code == 400 and "not valid any more" in response.get_data(as_text=True)


def test_an_expired_invitation_offers_a_new_one_mailed_to_the_invited_address(admin_client, app, db_session):
    invite(admin_client)
    address = "sokha.chan@example.org"
    expired = invitation_path(mails_to(db_session, address)[0])
    person = app.test_client()
    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        page = person.get(expired).get_data(as_text=True)
        assert "ran out of time" in page and "Send me a new invitation" in page
        response = post_form(person, f"{expired}/renew", {}, form_url=expired)
        assert response.status_code == 200
        assert "so•••@example.org" in response.get_data(as_text=True)
        renewed = mails_to(db_session, address)
        assert len(renewed) == 2 and "You asked for a new invitation link" in renewed[1].body
        fresh = invitation_path(renewed[1])
        assert person.get(expired).status_code == 400
        assert "Send me a new invitation" not in person.get(expired).get_data(as_text=True)  # renewed: now outdated
        assert accept(person, fresh).status_code == 302
    user = db_session.scalar(select(User).where(User.email == address))
    assert not user.is_invitation_pending
    assert db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.invitation_renewed")).one()


def test_only_a_genuine_expired_invitation_can_be_renewed(admin_client, app, db_session):
    invite(admin_client)
    address = "sokha.chan@example.org"
    link = invitation_path(mails_to(db_session, address)[0])
    person = app.test_client()
    # Still valid: nothing to renew (the page is the password form, and the renew address refuses).
    assert post_form(person, f"{link}/renew", {}, form_url=link).status_code == 400
    # Forged: a changed signature.
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        assert "Send me a new invitation" not in person.get(forged).get_data(as_text=True)
        assert post_form(person, f"{forged}/renew", {}, form_url=link).status_code == 400
    # Already answered: the person chose a password, an old link offers nothing.
    assert accept(person, link).status_code == 302
    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        assert "Send me a new invitation" not in person.get(link).get_data(as_text=True)
        assert post_form(person, f"{link}/renew", {}, form_url=link).status_code == 400
    assert len(mails_to(db_session, address)) == 1


def test_only_admins_invite(signed_in_client, db_session):
    waiting = make_user(Role.INSTRUCTOR)
    for role in (Role.COUNTRY_COORDINATOR, Role.PROGRAMME_COORDINATOR, Role.TRAINEE):
        client = signed_in_client(role)
        assert client.get("/admin/users/new").status_code == 403
        assert client.post("/admin/users/new", data={"csrf_token": csrf_token(client, "/")}).status_code == 403
        assert client.post(f"/admin/users/{waiting.id}/invitation",
                           data={"csrf_token": csrf_token(client, "/")}).status_code == 403
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action.like("user.invit%"))) == 0


def test_the_user_list_shows_and_filters_people_still_invited(admin_client, db_session):
    make_user(Role.INSTRUCTOR, full_name="Has Password")
    invite(admin_client)
    page = admin_client.get("/admin/users?status=invited").get_data(as_text=True)
    assert "Sokha Chan" in page and "Has Password" not in page and "invited, no password yet" in page


def test_a_trainee_nominated_by_csv_is_invited_the_same_way_and_the_admin_can_invite_again(signed_in_client, app,
                                                                                           db_session):
    from tests.enrolment.helpers import upcoming_intake
    from tests.enrolment.test_withdrawal_and_nomination import HEADER, upload
    from tests.factories import make_programme

    intake = upcoming_intake(make_programme())
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    client = signed_in_client(coordinator)
    assert upload(client, intake, HEADER + "new.one@example.org,Somchai W,,NBTC,Engineer,technician,\n"
                  ).status_code == 302
    trainee = db_session.scalar(select(User).where(User.email == "new.one@example.org"))
    assert trainee.is_invitation_pending
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "user.invited")).one()
    assert entry.actor_id == coordinator.id and entry.object_id == trainee.id
    [first] = [mail for mail in mails_to(db_session, trainee.email) if "/invitation/" in mail.body]

    admin = signed_in_client(Role.ADMIN)
    post_form(admin, f"/admin/users/{trainee.id}/invitation", {}, form_url=f"/admin/users/{trainee.id}")
    person = app.test_client()
    assert person.get(invitation_path(first)).status_code == 400
    assert accept(person, invitation_path(mails_to(db_session, trainee.email)[-1])).status_code == 302
    assert trainee.is_confirmed and not trainee.is_invitation_pending


def test_choosing_a_password_through_forgot_password_also_answers_the_invitation(admin_client, app, db_session):
    invite(admin_client)
    person = app.test_client()
    post_form(person, "/forgot-password", {"email": "sokha.chan@example.org"})
    reset = re.search(r"https://training\.example\.org(/reset-password/\S+)",
                      mails_to(db_session, "sokha.chan@example.org")[-1].body).group(1)
    assert accept(person, reset).status_code == 302
    user = db_session.scalar(select(User).where(User.email == "sokha.chan@example.org"))
    assert not user.is_invitation_pending and user.is_confirmed
    assert person.get(invitation_path(mails_to(db_session, user.email)[0])).status_code == 400
