"""The Latin-script name takes Latin letters with any accents; the name in one's own script takes any script;
neither takes emoji or control characters. The same rule on every form with a name."""
import pytest
from sqlalchemy import func, select

from lms.accounts.models import NameCorrection, Role, User
from lms.accounts.names import name_problem
from lms.extensions import db
from tests.accounts.test_registration import valid_form
from tests.conftest import post_form
from tests.factories import make_user

LATIN_MESSAGE = "Please write this name in Latin letters"
SYMBOL_MESSAGE = "A name cannot hold emoji or symbols"

VALID_LATIN = ["Nguyễn Thị Hương", "Somchai Wongsawat", "O'Brien-Smith", "Aung San Suu Kyi", "J. R. Tolkien",
               "Zoë Ångström", "Đặng Văn Lâm", "Ma\u0301rta", "Seán O’Neill"]
INVALID_LATIN = [("สมชาย", LATIN_MESSAGE), ("王伟", LATIN_MESSAGE), ("Ana 😀", SYMBOL_MESSAGE),
                 ("Иван Петров", LATIN_MESSAGE), ("Agent 007", LATIN_MESSAGE), ("Ana 👍🏽", SYMBOL_MESSAGE),
                 ("Ana\u200dMaria", LATIN_MESSAGE), ("Ana ♥", SYMBOL_MESSAGE)]
VALID_NATIVE = ["สมชาย วงศ์สวัสดิ์", "王伟", "សុខ ដារា", "ບຸນມີ ພົມມະຈັນ", "အောင်ကျော်ဝင်း", "Nguyễn Thị Hương", "محمد"]
INVALID_NATIVE = [("王伟 😀", SYMBOL_MESSAGE), ("สมชาย 🇹🇭", SYMBOL_MESSAGE)]


@pytest.mark.parametrize("name", VALID_LATIN)
def test_latin_names_with_accents_are_accepted(name):
    assert name_problem(name, latin=True) is None


@pytest.mark.parametrize("name", VALID_NATIVE)
def test_names_in_any_script_are_accepted_as_native_names(name):
    assert name_problem(name, latin=False) is None


def registered(email: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) == 1


@pytest.mark.parametrize("name", VALID_LATIN)
def test_registration_takes_any_latin_name(client, name):
    response = post_form(client, "/register", valid_form(full_name=name, email="new@example.org"))
    assert response.status_code == 302 and registered("new@example.org")


@pytest.mark.parametrize("name, message", INVALID_LATIN)
def test_registration_refuses_other_scripts_and_emoji_in_the_latin_name(client, name, message):
    response = post_form(client, "/register", valid_form(full_name=name, email="new@example.org"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and not registered("new@example.org")
    assert 'value="new@example.org"' in page  # what was typed stays


@pytest.mark.parametrize("name, message", INVALID_NATIVE)
def test_registration_refuses_emoji_in_the_native_name(client, name, message):
    response = post_form(client, "/register", valid_form(native_name=name, email="new@example.org"))
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_registration_refuses_control_characters_in_the_native_name(client):
    response = post_form(client, "/register", valid_form(native_name="สมชาย\u202e", email="new@example.org"))
    assert response.status_code == 400 and "U+202E" in response.get_data(as_text=True)


def test_each_name_field_says_what_it_is_for(client):
    page = client.get("/register").get_data(as_text=True)
    assert "As in your passport, in Latin letters: it is printed on your certificate." in page
    assert "it is printed under the Latin name" in page


@pytest.mark.parametrize("name, message", INVALID_LATIN)
def test_the_correction_request_refuses_what_registration_refuses(signed_in_client, name, message):
    trainee = make_user(Role.TRAINEE, full_name="Somchai Wongsawad")
    client = signed_in_client(trainee)
    response = post_form(client, "/profile/name", {"full_name": name, "native_name": "", "reason": "Misspelt"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "Misspelt" in page
    assert db.session.scalar(select(func.count()).select_from(NameCorrection)) == 0


@pytest.mark.parametrize("name", VALID_LATIN[:3])
def test_the_correction_request_takes_latin_names_with_accents(signed_in_client, name):
    client = signed_in_client(Role.TRAINEE, full_name="Somchai Wongsawad")
    response = post_form(client, "/profile/name", {"full_name": name, "native_name": "", "reason": "Misspelt"})
    assert response.status_code == 302


def test_staff_forms_apply_the_same_rule(admin_client):
    response = post_form(admin_client, "/admin/users/new", {"email": "new@example.org", "full_name": "王伟",
                                                            "role": "instructor"})
    assert response.status_code == 400 and LATIN_MESSAGE in response.get_data(as_text=True)
    assert not registered("new@example.org")
