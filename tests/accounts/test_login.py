"""Signing in and out, and the limits on repeated failures."""
from lms.accounts.models import Role
from tests.conftest import csrf_token, post_form, sign_in
from tests.factories import PASSWORD, make_user


def test_sign_in_with_the_right_password_opens_the_home_page(client):
    user = make_user(full_name="Dara Sok")
    response = sign_in(client, user)
    assert response.headers["Location"] == "/"
    assert "Welcome, Dara Sok" in client.get("/").get_data(as_text=True)
    assert user.last_login_at is not None


def test_e_mail_is_matched_without_regard_to_case(client):
    make_user(email="mixed@example.org")
    response = post_form(client, "/login", {"email": "  MIXED@Example.org ", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_and_unknown_address_get_the_same_clear_message(client):
    user = make_user()
    wrong = post_form(client, "/login", {"email": user.email, "password": "not the password"})
    unknown = post_form(client, "/login", {"email": "nobody@example.org", "password": "whatever it is"})
    message = "The e-mail or password is not right."
    assert wrong.status_code == unknown.status_code == 400
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_empty_fields_get_messages_next_to_them(client):
    page = post_form(client, "/login", {"email": "", "password": ""}).get_data(as_text=True)
    assert 'id="email-error"' in page and "Please enter your e-mail address." in page
    assert 'id="password-error"' in page and "Please enter your password." in page


def test_a_deactivated_account_cannot_sign_in(client):
    user = make_user(is_active=False)
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "deactivated" in response.get_data(as_text=True)


def test_signing_in_before_confirming_mails_the_link_again(client, db_session):
    from sqlalchemy import select

    from lms.notifications.models import OutboxMail
    from tests.job_runner import queued_names

    user = make_user()
    user.email_confirmed_at = None
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200  # not signed in, but the link mailed again is kept and goes out
    assert "We have just sent it again." in response.get_data(as_text=True)
    assert db_session.scalar(select(OutboxMail).where(OutboxMail.to_address == user.email,
                                                      OutboxMail.subject.contains("Confirm your address")))
    assert "deliver_mail" in queued_names()
    assert client.get("/profile").status_code == 302  # still signed out


def test_after_sign_in_only_local_paths_are_followed(client):
    user = make_user(Role.ADMIN)
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/steal",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    token = csrf_token(client)
    response = client.post("/login?next=/admin/users",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/admin/users"


def test_sign_out_needs_a_post_with_csrf_and_ends_the_session(trainee_client):
    assert trainee_client.get("/logout").status_code == 405
    assert trainee_client.post("/logout").status_code == 400  # no CSRF token
    trainee_client.post("/logout", data={"csrf_token": csrf_token(trainee_client, "/")})
    assert trainee_client.get("/profile").status_code == 302


def test_repeated_failures_on_one_account_from_one_client_are_limited_with_a_clear_message(client):
    user = make_user()
    for _ in range(5):
        assert post_form(client, "/login", {"email": user.email, "password": "wrong password"}).status_code == 400
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.get_data(as_text=True)
    # Another account from the same address is not locked by this one's failures.
    other = make_user()
    assert post_form(client, "/login", {"email": other.email, "password": PASSWORD}).status_code == 302


def test_failures_from_one_address_are_limited_across_accounts(client):
    for number in range(20):
        post_form(client, "/login", {"email": f"guess{number}@example.org", "password": "wrong password"})
    user = make_user()
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_successful_sign_ins_do_not_count_toward_the_limit(client):
    user = make_user()
    for _ in range(7):
        sign_in(client, user)
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
