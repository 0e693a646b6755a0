"""Limits on password checks: they hold per client, a stranger cannot lock a user out, and every check counts."""
import pyotp
import pytest

from lms.accounts.models import Role
from tests.conftest import csrf_token, post_form, sign_in
from tests.factories import PASSWORD, make_user

STRANGER = {"REMOTE_ADDR": "198.51.100.7"}
OWNER = {"REMOTE_ADDR": "203.0.113.20"}


def attempt(client, email: str, password: str, where: dict):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)},
                       environ_base=where)


def test_a_strangers_failures_do_not_lock_the_owner_out(app, client):
    user = make_user()
    stranger = app.test_client()
    for _ in range(6):
        attempt(stranger, user.email, "a wrong guess at it", STRANGER)
    assert attempt(stranger, user.email, PASSWORD, STRANGER).status_code == 429  # the guesser is stopped
    assert attempt(client, user.email, PASSWORD, OWNER).status_code == 302  # the owner is not


def test_the_account_wide_ceiling_spares_a_browser_that_signed_in_before(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "8 per 15 minutes")
    user = make_user()
    assert attempt(client, user.email, PASSWORD, OWNER).status_code == 302  # the owner's own browser
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for number in range(8):  # a guesser spread over many addresses
        attempt(app.test_client(), user.email, "a wrong guess at it", {"REMOTE_ADDR": f"192.0.2.{number + 1}"})
    assert attempt(app.test_client(), user.email, PASSWORD, {"REMOTE_ADDR": "192.0.2.99"}).status_code == 429
    # The browser that signed in before, even from another address now, is counted on its own.
    assert attempt(client, user.email, PASSWORD, {"REMOTE_ADDR": "192.0.2.200"}).status_code == 302


def test_the_known_device_mark_belongs_to_one_account(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    mine, victim = make_user(), make_user()
    assert attempt(client, mine.email, PASSWORD, STRANGER).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for number in range(3):
        attempt(app.test_client(), victim.email, "a wrong guess", {"REMOTE_ADDR": f"192.0.2.{number + 1}"})
    # Signing in to one's own account gives no way around another account's ceiling.
    assert attempt(client, victim.email, PASSWORD, STRANGER).status_code == 429


def test_a_line_break_in_next_is_ignored_and_is_not_a_failed_sign_in(client):
    user = make_user()
    for _ in range(5):
        response = client.post("/login?next=/profile%0d%0aSet-Cookie:%20x=1",
                               data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
        assert response.status_code == 302 and response.headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = client.post("/login?next=/\\evil.example",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert sign_in(client, user).status_code == 302  # none of the above counted against the account


def test_wrong_current_passwords_on_the_change_password_page_are_limited(trainee_client):
    new = {"password": "a brand new passphrase", "confirm_password": "a brand new passphrase"}
    statuses = [post_form(trainee_client, "/password", {"current_password": f"guess number {n}", **new}).status_code
                for n in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    assert post_form(trainee_client, "/password", {"current_password": PASSWORD, **new}).status_code == 429


def test_a_new_password_that_is_too_weak_does_not_count_as_a_guess(trainee_client):
    for _ in range(6):
        response = post_form(trainee_client, "/password", {"current_password": PASSWORD, "password": "short",
                                                           "confirm_password": "short"})
        assert response.status_code == 400


def test_wrong_passwords_when_turning_two_factor_off_are_limited(signed_in_client):
    user = make_user(Role.ADMIN)
    client = signed_in_client(user)
    client.get("/account/two-factor")
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert user.has_two_factor
    statuses = [post_form(client, "/account/two-factor", {"password": f"guess {n}"}).status_code for n in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    assert post_form(client, "/account/two-factor", {"password": PASSWORD}).status_code == 429
    assert user.has_two_factor


def test_registration_is_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_LIMIT_PER_ADDRESS", "3 per hour")
    statuses = [post_form(client, "/register", {"email": f"new{n}@example.org"}).status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    other = app.test_client()
    response = other.post("/register", data={"email": "x@example.org", "csrf_token": csrf_token(other, "/register")},
                          environ_base=OWNER)
    assert response.status_code == 400  # another address is not affected


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.ADMIN, Role.COUNTRY_COORDINATOR])
def test_instructors_and_staff_must_set_up_two_factor_where_required(app, signed_in_client, monkeypatch, role):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    client = signed_in_client(role)
    response = client.get("/profile")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
