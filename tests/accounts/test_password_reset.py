"""Password reset by a signed, expiring, single-use link sent to the outbox."""
import re
from datetime import timedelta

from sqlalchemy import select

from lms.notifications.models import OutboxMail
from tests.conftest import CSRF_PATTERN, post_form
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase"


def reset_link(db_session, address: str) -> str:
    mail = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == address)).one()
    return re.search(r"https://training\.example\.org(/reset-password/\S+)", mail.body).group(1)


def test_reset_link_lets_the_person_choose_a_new_password(client, db_session):
    user = make_user(email="reset@example.org")
    response = post_form(client, "/forgot-password", {"email": "Reset@Example.org"})
    assert response.status_code == 302
    link = reset_link(db_session, "reset@example.org")
    assert client.get(link).status_code == 200
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert post_form(client, "/login", {"email": user.email, "password": PASSWORD}).status_code == 400
    assert post_form(client, "/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_reset_link_works_only_once(client, db_session):
    make_user(email="once@example.org")
    post_form(client, "/forgot-password", {"email": "once@example.org"})
    link = reset_link(db_session, "once@example.org")
    post_form(client, link, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    response = client.get(link)
    assert response.status_code == 400
    assert "not valid any more" in response.get_data(as_text=True)


def test_an_expired_or_altered_link_is_refused(client, db_session, app):
    make_user(email="late@example.org")
    post_form(client, "/forgot-password", {"email": "late@example.org"})
    link = reset_link(db_session, "late@example.org")
    assert client.get(link[:-3] + "abc").status_code == 400
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(seconds=-1)
    try:
        assert client.get(link).status_code == 400
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(hours=1)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, db_session):
    response = post_form(client, "/forgot-password", {"email": "nobody@example.org"}, follow_redirects=True)
    assert "If an account uses nobody@example.org" in response.get_data(as_text=True)
    assert db_session.scalars(select(OutboxMail)).all() == []


def test_a_weak_new_password_is_refused_next_to_the_field(client, db_session):
    user = make_user(email="weak@example.org")
    post_form(client, "/forgot-password", {"email": "weak@example.org"})
    link = reset_link(db_session, "weak@example.org")
    response = post_form(client, link, {"password": "short", "confirm_password": "short"})
    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert post_form(client, "/login", {"email": user.email, "password": PASSWORD}).status_code == 302


def test_bad_address_format_gets_a_message(client):
    response = post_form(client, "/forgot-password", {"email": "not an address"})
    assert response.status_code == 400
    assert "Please enter a valid e-mail address." in response.get_data(as_text=True)


def test_a_forged_host_header_never_reaches_the_mailed_link(app, client, db_session):
    """POST /forgot-password with Host: attacker.example must not mail a link to the attacker's host."""
    make_user(email="victim@example.org")
    forged = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "http"}
    page = client.get("/forgot-password", headers=forged).get_data(as_text=True)
    token = CSRF_PATTERN.search(page).group(1)
    response = client.post("/forgot-password", data={"email": "victim@example.org", "csrf_token": token},
                           headers=forged)
    assert response.status_code == 302
    mail = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == "victim@example.org")).one()
    assert "attacker.example" not in mail.body
    assert re.search(r"https://training\.example\.org/reset-password/\S+", mail.body)
