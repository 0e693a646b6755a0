"""Which language a reader gets, how she changes it, and that every message reaches the catalogue."""
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from lms.accounts.models import Role
from lms.core.i18n import COUNTRY_TIME_ZONES, language_for_tag, script_language
from tests.conftest import post_form, sign_in
from tests.factories import make_user

THAI = {
    "Sign in": "เข้าสู่ระบบ",
    "This field is required.": "ต้องกรอกช่องนี้",
    ("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."):
        ("ต้องมีอย่างน้อย %(min)d ตัวอักษร",),
}


@pytest.fixture
def thai_catalogue(app, tmp_path):
    """A small Thai catalogue in front of the shipped ones, whatever they hold today."""
    catalog = Catalog(locale="th", domain="messages")
    for msgid, msgstr in THAI.items():
        catalog.add(msgid, msgstr)
    folder = tmp_path / "th" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as out:
        write_mo(out, catalog)
    babel = app.extensions["babel"]
    saved = list(babel.translation_directories)
    babel.translation_directories[:] = [*saved, str(tmp_path)]  # merged last, so it wins
    babel.instance.domain_instance.cache.clear()
    yield
    babel.translation_directories[:] = saved
    babel.instance.domain_instance.cache.clear()


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)">', page).group(1)


@pytest.mark.parametrize("header, tag", [
    ("th-TH,th;q=0.9,en;q=0.5", "th"), ("zh-CN,zh;q=0.9", "zh-Hans"), ("km", "km"), ("lo-LA", "lo"),
    ("my", "my"), ("vi-VN", "vi"), ("id", "id"), ("ms-MY", "ms"), ("tl-PH", "fil"), ("fr-FR,de;q=0.8", "en"),
])
def test_accept_language_is_the_first_guess(client, header, tag):
    response = client.get("/login", headers={"Accept-Language": header})
    assert html_lang(response.get_data(as_text=True)) == tag
    assert response.headers["Content-Language"] == tag
    assert "Accept-Language" in response.headers["Vary"]


def test_the_page_is_shown_from_the_readers_catalogue(client, thai_catalogue):
    page = client.get("/login", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert "เข้าสู่ระบบ" in page


def test_wtforms_own_messages_come_from_our_catalogue(app, thai_catalogue):
    from wtforms import StringField
    from wtforms.validators import DataRequired, Length

    from lms.core.forms import BaseForm

    class Probe(BaseForm):
        class Meta:
            csrf = False
        name = StringField(validators=[DataRequired()])
        code = StringField(validators=[Length(min=3)])

    with app.test_request_context("/", method="POST", data={"name": "", "code": "x"},
                                  headers={"Accept-Language": "th"}):
        form = Probe()
        assert not form.validate()
        assert form.name.errors == ["ต้องกรอกช่องนี้"]
        assert form.code.errors == ["ต้องมีอย่างน้อย 3 ตัวอักษร"]


def test_a_signed_out_reader_switches_with_a_cookie_without_javascript(client, thai_catalogue):
    response = post_form(client, "/language", {"language": "th", "next": "/login"}, form_url="/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert html_lang(page.get_data(as_text=True)) == "th"
    assert "Accept-Language" not in page.headers.get("Vary", "")  # the cookie decided, not the header


def test_the_switch_refuses_to_send_the_reader_elsewhere(client):
    response = post_form(client, "/language", {"language": "km", "next": "//evil.example/"}, form_url="/login")
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_a_signed_in_readers_choice_is_kept_on_her_profile(signed_in_client, db_session):
    trainee = make_user(Role.TRAINEE, country_code="KH")
    client = signed_in_client(trainee)
    post_form(client, "/language", {"language": "km", "next": "/"}, form_url="/profile")
    db_session.refresh(trainee)
    assert trainee.language == "km"
    client.delete_cookie("lang")
    page = client.get("/profile", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_lang(page) == "km"


def test_the_profile_changes_language_and_time_zone_and_refuses_unknown_ones(signed_in_client, db_session):
    trainee = make_user(Role.TRAINEE, country_code="ID")
    client = signed_in_client(trainee)
    response = post_form(client, "/profile/preferences", {"language": "id", "time_zone": "Asia/Jayapura"},
                         form_url="/profile")
    assert response.status_code == 302
    db_session.refresh(trainee)
    assert (trainee.language, trainee.time_zone) == ("id", "Asia/Jayapura")
    response = post_form(client, "/profile/preferences", {"language": "xx", "time_zone": "Mars/Olympus"},
                         form_url="/profile")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # She reads Indonesian now, so the messages come in her language, from the catalogue.
    from babel.support import Translations

    indonesian = Translations.load("lms/translations", ["id"])
    for message in ("Please choose a language from the list.", "Please choose a time zone from the list."):
        assert indonesian.gettext(message) != message and indonesian.gettext(message) in page
    db_session.refresh(trainee)
    assert (trainee.language, trainee.time_zone) == ("id", "Asia/Jayapura")


def test_the_profile_offers_indonesias_three_zones(signed_in_client):
    trainee = make_user(Role.TRAINEE, country_code="ID")
    client = signed_in_client(trainee)
    page = client.get("/profile").get_data(as_text=True)
    for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):
        assert f'value="{zone}"' in page


def test_registration_guesses_the_zone_from_the_country_and_keeps_the_language(client, db_session):
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.programme.models import Country

    cambodia = db_session.scalar(select(Country).where(Country.code == "KH"))
    data = {"email": "sokha@example.org", "password": "a long enough passphrase here", "confirm_password":
            "a long enough passphrase here", "full_name": "Sokha Chan", "native_name": "សុខា ចាន់",
            "country": str(cambodia.id), "organisation": "Ministry of Posts and Telecommunications",
            "position": "Engineer", "category": "technician", "gender": ""}
    client.set_cookie("lang", "km")
    response = post_form(client, "/register", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    user = db_session.scalar(select(User).where(User.email == "sokha@example.org"))
    assert (user.time_zone, user.language) == ("Asia/Phnom_Penh", "km")
    from lms.core.db import utcnow

    user.email_confirmed_at = utcnow()  # as the link in the confirmation mail does
    sign_in(client, user, password="a long enough passphrase here")
    page = client.get("/profile").get_data(as_text=True)
    assert '<td lang="km">សុខា ចាន់</td>' in page


def test_every_member_country_has_a_zone_guess():
    assert set(COUNTRY_TIME_ZONES) == {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}


@pytest.mark.parametrize("text, country, tag", [
    ("สมชาย", "TH", "th"), ("សុខា", "KH", "km"), ("ສົມພອນ", "LA", "lo"), ("အောင်", "MM", "my"),
    ("王明", "SG", "zh-Hans"), ("Nguyễn Văn An", "VN", "vi"), ("Siti Aminah", "ID", "id"),
])
def test_a_native_name_is_tagged_with_its_language(text, country, tag):
    assert script_language(text, country) == tag


def test_language_tags_map_to_our_catalogues():
    assert language_for_tag("zh-Hans-CN") == "zh_Hans"
    assert language_for_tag("zh-TW") == "zh_Hans"
    assert language_for_tag("fil") == "fil" and language_for_tag("tl") == "fil"
    assert language_for_tag("xx") is None and language_for_tag("") is None
