"""Registering as a trainee: the happy path and a clear message for every bad field."""
import pytest
from sqlalchemy import func, select

from lms.accounts.models import Category, Gender, Role, User
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


def test_registration_creates_a_signed_in_trainee_with_profile(client, db_session):
    response = post_form(client, "/register", valid_form())
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "somchai.w@example.org"))
    assert user.role is Role.TRAINEE
    assert user.native_name == "สมชาย วงศ์สวัสดิ์"
    assert user.country.code == "TH"
    assert user.profile.category is Category.TECHNICIAN and user.profile.gender is Gender.MALE
    assert user.password_hash.startswith("$argon2id$")
    assert "Somchai Wongsawat" in client.get("/").get_data(as_text=True)


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


def test_an_address_already_registered_is_refused(client):
    make_user(email="taken@example.org")
    response = post_form(client, "/register", valid_form(email="TAKEN@example.org"))
    assert response.status_code == 400
    assert "An account with this e-mail already exists" in response.get_data(as_text=True)


def test_registration_without_csrf_token_is_refused(client):
    before = user_count()
    response = client.post("/register", data=valid_form())
    assert response.status_code == 400
    assert user_count() == before
