"""Sessions end when they should, passwords resist guessing, and two-factor sign-in works."""
import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from lms.accounts.models import RecoveryCode, Role
from lms.accounts.password_policy import password_problem
from lms.core.db import utcnow
from tests.conftest import post_form, sign_in
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop12", "monkeymonkey", "1234567890123",
                                      "!!!sunshine!!!", "aaaaaaaaaaaaaaaa", "iloveyou2024"])
def test_common_passwords_in_disguise_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["correct horse battery staple", "Mekong ferry at 6am!", "ข้ามแม่น้ำโขงตอนเช้า"])
def test_long_uncommon_passwords_are_accepted(password):
    assert password_problem(password) is None


def test_the_password_may_not_contain_the_e_mail_name():
    assert "e-mail" in password_problem("somchai.w-2026-secure", "somchai.w@example.org")


def test_changing_the_password_keeps_this_session_and_ends_the_others(signed_in_client):
    user = make_user()
    client = signed_in_client(user)
    other_device = signed_in_client(user)
    new = "a new and rather long passphrase"
    response = post_form(client, "/password", {"current_password": PASSWORD, "password": new, "confirm_password": new})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302


def test_a_wrong_current_password_is_refused_next_to_the_field(trainee_client):
    new = "a new and rather long passphrase"
    response = post_form(trainee_client, "/password", {"current_password": "wrong password!", "password": new,
                                                       "confirm_password": new})
    assert response.status_code == 400 and 'id="current_password-error"' in response.get_data(as_text=True)


def _age_session(client, idle_seconds: int, total_seconds: int | None = None) -> None:
    with client.session_transaction() as session:
        now = int(time.time())
        session["seen_at"] = now - idle_seconds
        session["signed_in_at"] = now - (total_seconds or idle_seconds)


@pytest.mark.parametrize("role, idle_minutes", [(Role.TRAINEE, 120), (Role.INSTRUCTOR, 30), (Role.ADMIN, 30)])
def test_idle_sessions_end_sooner_for_staff(signed_in_client, role, idle_minutes):
    client = signed_in_client(role)
    _age_session(client, idle_minutes * 60 - 30)
    assert client.get("/profile").status_code == 200
    _age_session(client, idle_minutes * 60 + 30)
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_active_session_still_ends_at_the_absolute_limit(country_coordinator_client):
    _age_session(country_coordinator_client, 10, total_seconds=8 * 3600 + 60)
    assert country_coordinator_client.get("/profile").status_code == 302


def _enable_two_factor(client, user) -> tuple[str, list[str]]:
    sign_in(client, user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    response = post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    page = response.get_data(as_text=True)
    assert "Two-factor sign-in is on" in page
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", page)
    return secret, codes


def test_two_factor_sign_in_asks_for_the_code_after_the_password(app, client, db_session):
    user = make_user(Role.ADMIN)
    secret, codes = _enable_two_factor(client, user)
    assert len(codes) == 10 and user.has_two_factor
    fresh = app.test_client()
    response = post_form(fresh, "/login", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/two-factor")
    assert fresh.get("/admin/users").status_code == 302  # not signed in yet
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))  # the next step's code (the current one was used at setup)
    assert post_form(fresh, "/login/two-factor", {"code": "000000" if code != "000000" else "111111"}).status_code == 400
    response = post_form(fresh, "/login/two-factor", {"code": code})
    assert response.status_code == 302
    assert fresh.get("/admin/users").status_code == 200


def test_a_code_works_only_once_and_a_recovery_code_saves_a_lost_phone(app, client, db_session):
    user = make_user(Role.PROGRAMME_COORDINATOR)
    secret, codes = _enable_two_factor(client, user)
    used = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    first = app.test_client()
    post_form(first, "/login", {"email": user.email, "password": PASSWORD})
    assert post_form(first, "/login/two-factor", {"code": used}).status_code == 302
    second = app.test_client()
    post_form(second, "/login", {"email": user.email, "password": PASSWORD})
    assert post_form(second, "/login/two-factor", {"code": used}).status_code == 400  # replayed
    assert post_form(second, "/login/two-factor", {"code": codes[0].upper()}).status_code == 302
    third = app.test_client()
    post_form(third, "/login", {"email": user.email, "password": PASSWORD})
    assert post_form(third, "/login/two-factor", {"code": codes[0]}).status_code == 400  # recovery codes are single-use
    assert len(db_session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                               RecoveryCode.used_at.is_not(None))).all()) == 1


def test_guessing_second_factor_codes_is_limited(app, client):
    user = make_user(Role.ADMIN)
    _enable_two_factor(client, user)
    guesser = app.test_client()
    post_form(guesser, "/login", {"email": user.email, "password": PASSWORD})
    statuses = [post_form(guesser, "/login/two-factor", {"code": f"{n:06d}"}).status_code for n in range(6)]
    assert statuses[-1] == 429


def test_a_wrong_setup_code_is_explained(admin_client):
    admin_client.get("/account/two-factor")
    response = post_form(admin_client, "/account/two-factor", {"code": "12"})
    assert response.status_code == 400 and "This code does not match" in response.get_data(as_text=True)


def test_where_required_staff_must_set_up_two_factor_before_anything_else(app, signed_in_client):
    app.config["TWO_FACTOR_REQUIRED"] = True
    try:
        client = signed_in_client(Role.COUNTRY_COORDINATOR)
        response = client.get("/enrolments")
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
        assert client.get("/account/two-factor").status_code == 200
        as_trainee = signed_in_client(Role.TRAINEE)
        assert as_trainee.get("/profile").status_code == 200  # trainees are not required to
    finally:
        app.config["TWO_FACTOR_REQUIRED"] = False


def test_where_required_two_factor_cannot_be_turned_off(app, client):
    user = make_user(Role.ADMIN)
    _enable_two_factor(client, user)
    app.config["TWO_FACTOR_REQUIRED"] = True
    try:
        response = post_form(client, "/account/two-factor", {"password": PASSWORD})
        assert "cannot be turned off" in response.get_data(as_text=True)
        assert user.has_two_factor
    finally:
        app.config["TWO_FACTOR_REQUIRED"] = False
    response = post_form(client, "/account/two-factor", {"password": PASSWORD})
    assert response.status_code == 302 and not user.has_two_factor
