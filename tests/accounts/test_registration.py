"""Registering as a trainee: the happy path, confirmation by mail, nothing revealed, a clear message for every bad field."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Category, Gender, Role, User
from lms.notifications.models import OutboxMail
from tests.conftest import post_form
from tests.factories import country, make_user


def valid_form(**overrides) -> dict:
    data = {
        "email": "Somchai.W@Example.org", "full_name": "Somchai Wongsawat", "native_name": "สมชาย วงศ์สวัสดิ์",
        "country": str(country("TH").id), "organisation": "National telecom regulator", "position": "Engineer",
        "category": "technician", "gender": "male",
        "password": "a long enough passphrase", "confirm_password": "a long enough passphrase",
    }
    data.update(overrides)
    return data


def user_count() -> int:
    from lms.extensions import db

    return db.session.scalar(select(func.count()).select_from(User))


def confirmation_link(db_session, address: str) -> str:
    mail = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == address)).one()
    return re.search(r"https://training\.example\.org(/confirm/\S+)", mail.body).group(1)


def test_registration_creates_a_trainee_who_confirms_the_address_by_a_link(client, db_session):
    response = post_form(client, "/register", valid_form())
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    user = db_session.scalar(select(User).where(User.email == "somchai.w@example.org"))
    assert user.role is Role.TRAINEE
    assert user.native_name == "สมชาย วงศ์สวัสดิ์"
    assert user.country.code == "TH"
    assert user.profile.category is Category.TECHNICIAN and user.profile.gender is Gender.MALE
    assert user.password_hash.startswith("$argon2id$")
    assert not user.is_confirmed
    # Not active yet: the right password is not enough before the link is used.
    response = post_form(client, "/login", {"email": user.email, "password": "a long enough passphrase"})
    assert response.status_code == 200 and "Please confirm your address first" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302  # not signed in
    mails = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == user.email)).all()
    assert len(mails) == 2  # the confirmation, sent again at the refused sign-in
    link = re.search(r"https://training\.example\.org(/confirm/\S+)", mails[-1].body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my address" in page.get_data(as_text=True)
    assert not user.is_confirmed  # opening the link (a mail scanner does) confirms nothing
    assert post_form(client, link, {}).status_code == 302
    assert user.is_confirmed
    response = post_form(client, "/login", {"email": user.email, "password": "a long enough passphrase"})
    assert response.status_code == 302
    assert "Somchai Wongsawat" in client.get("/").get_data(as_text=True)


def test_a_confirmation_link_that_was_tampered_with_or_is_old_is_refused(app, client, db_session, monkeypatch):
    post_form(client, "/register", valid_form())
    link = confirmation_link(db_session, "somchai.w@example.org")
    assert client.get(link[:-3] + "xyz").status_code == 400
    monkeypatch.setitem(app.config, "EMAIL_CONFIRMATION_MAX_AGE", timedelta(seconds=-1))  # as if days had passed
    response = client.get(link)
    assert response.status_code == 400 and "not valid any more" in response.get_data(as_text=True)


def test_registering_an_address_that_has_an_account_reveals_nothing_and_tells_the_owner(client, db_session):
    owner = make_user(email="taken@example.org", full_name="Real Owner")
    before = user_count()
    taken = post_form(client, "/register", valid_form(email="TAKEN@example.org"))
    fresh = post_form(client, "/register", valid_form(email="nobody.yet@example.org"))
    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    taken_page = client.get("/login").get_data(as_text=True)  # the flash message of the second answer
    assert "We have sent a message to nobody.yet@example.org" in taken_page
    assert user_count() == before + 1  # only the new address got an account
    mail = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == "taken@example.org")).one()
    assert "already has an account" in mail.body and "/reset-password/" in mail.body
    assert owner.full_name == "Real Owner"  # nothing of the owner's account changed


def test_both_answers_are_word_for_word_the_same(app, client):
    make_user(email="staff.member@example.org")
    pages = []
    for address in ("staff.member@example.org", "not.registered@example.org"):
        other = app.test_client()
        post_form(other, "/register", valid_form(email=address))
        pages.append(other.get("/login").get_data(as_text=True).replace(address, "ADDRESS"))
    strip = re.compile(r'name="csrf_token"[^>]*value="[^"]+"')  # each browser's own token, nothing more
    assert strip.sub("", pages[0]) == strip.sub("", pages[1])


def test_a_nominated_trainee_is_confirmed_by_setting_a_password_from_the_mailed_link(client, db_session):
    user = make_user(email="nominee@example.org")
    user.email_confirmed_at = None
    post_form(client, "/forgot-password", {"email": user.email})
    mail = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == user.email)).one()
    link = re.search(r"https://training\.example\.org(/reset-password/\S+)", mail.body).group(1)
    post_form(client, link, {"password": "a brand new passphrase", "confirm_password": "a brand new passphrase"})
    assert user.is_confirmed
    assert post_form(client, "/login", {"email": user.email, "password": "a brand new passphrase"}).status_code == 302


def test_gender_is_optional(client, db_session):
    assert post_form(client, "/register", valid_form(gender="")).status_code == 302
    user = db_session.scalar(select(User).where(User.email == "somchai.w@example.org"))
    assert user.profile.gender is None


@pytest.mark.parametrize("field, value, message", [
    ("email", "", "Please enter your e-mail address."),
    ("email", "not-an-address", "Please enter a valid e-mail address"),
    ("email", "a" * 250 + "@x.org", "Field cannot be longer than 254 characters."),
    ("full_name", "   ", "Please enter your name."),
    ("full_name", "x" * 121, "Field cannot be longer than 120 characters."),
    ("full_name", "Bad\x07Name", "Please remove control characters"),
    ("native_name", "ก" * 121, "Field cannot be longer than 120 characters."),
    ("country", "", "Please choose a country from the list."),
    ("country", "99999", "Please choose a country from the list."),
    ("country", "TH", "Please choose a country from the list."),
    ("organisation", "", "Please enter your organisation."),
    ("position", "", "Please enter your position."),
    ("category", "", "Please choose the category that fits your job."),
    ("category", "astronaut", "Please choose the category that fits your job."),
    ("gender", "unknown", "Please choose one of the options."),
    ("password", "short", "Use at least 12 characters."),
    ("confirm_password", "something different", "The two passwords do not match."),
])
def test_bad_input_gets_a_message_next_to_the_field_and_creates_nothing(client, field, value, message):
    before = user_count()
    response = post_form(client, "/register", valid_form(**{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error_block = page.split(f'id="{field}-error"', 1)
    assert len(error_block) == 2, f"no error shown next to {field}"
    assert message in error_block[1].split("</p>", 1)[0]
    assert user_count() == before
    # What the person typed in the other fields is kept.
    if field != "organisation":
        assert 'value="National telecom regulator"' in page


def test_registration_without_csrf_token_is_refused(client):
    before = user_count()
    response = client.post("/register", data=valid_form())
    assert response.status_code == 400
    assert user_count() == before
