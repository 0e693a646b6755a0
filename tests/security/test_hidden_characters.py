"""Names refuse bidi overrides and other invisible format characters everywhere, and keep ZWJ and ZWNJ."""
import pytest
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.core.text import first_hidden_character
from tests.accounts.test_registration import valid_form
from tests.conftest import post_form
from tests.enrolment.helpers import upcoming_intake
from tests.enrolment.test_withdrawal_and_nomination import HEADER, upload
from tests.factories import make_programme, make_user

HIDDEN = ["\u202e", "\u202d", "\u2066", "\u200b", "\u200e", "\u2060", "\ufeff", "\u00ad", "\u2028", "\x85"]
# Sinhala, Khmer, Persian and Devanagari names need the joiners: they stay.
JOINED = ["ශ්‍රී ලංකා", "ក្‍ម", "می‌خواهم", "क्‍ष"]


@pytest.mark.parametrize("character", HIDDEN)
def test_hidden_characters_are_found(character):
    assert first_hidden_character(f"Dara{character}Sok") == character


@pytest.mark.parametrize("name", JOINED + ["Nguyễn Thị Minh Anh", "สมชาย วงศ์สวัสดิ์", "张伟"])
def test_real_names_in_every_script_pass(name):
    assert first_hidden_character(name) is None


@pytest.mark.parametrize("field", ["full_name", "native_name"])
def test_registration_refuses_a_reversed_name(client, field):
    response = post_form(client, "/register", valid_form(**{field: "Somchai \u202eWongsawat"}))
    assert response.status_code == 400
    error = response.get_data(as_text=True).split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert "invisible characters (here U+202E)" in error


def test_registration_keeps_the_joiners(client, db_session):
    assert post_form(client, "/register", valid_form(native_name=JOINED[0])).status_code == 302
    assert db_session.scalar(select(User.native_name).where(User.email == "somchai.w@example.org")) == JOINED[0]


def test_the_admin_cannot_give_a_name_with_an_override(signed_in_client):
    admin, user = make_user(Role.ADMIN), make_user()
    client = signed_in_client(admin)
    response = post_form(client, f"/admin/users/{user.id}", {"full_name": "Evil\u202eName", "role": "trainee",
                                                             "country": str(user.country_id), "is_active": "y"})
    assert response.status_code == 400 and "U+202E" in response.get_data(as_text=True)
    assert user.full_name == "Test Person"


def test_a_nomination_file_with_an_override_is_refused_by_row_and_column(country_coordinator_client, db_session):
    intake = upcoming_intake(make_programme())
    response = upload(country_coordinator_client, intake,
                      HEADER + "new@example.org,Evil\u202eName,,Regulator,Engineer,technician,\n")
    assert response.status_code == 400
    assert "Row 2, column full_name: contains a control or invisible character (U+202E)" in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == "new@example.org")) is None
