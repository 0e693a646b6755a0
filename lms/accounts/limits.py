"""Limits on password checks that hold behind a proxy and that a stranger cannot turn against an account.

Failed sign-ins are counted per client address, per (account, client) and, with a higher ceiling, per
account. A browser that signed in to the account before carries a signed "known device" cookie: it is
counted on its own and is exempt from the address and account-wide limits, so failures from elsewhere
never lock out the account's owner on their own device. Wrong current passwords (changing the password,
turning two-factor sign-in off) are limited per account. Only a failed check counts.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import Response, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE = "lms_known_device"
DEVICE_MAX_AGE = timedelta(days=180)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]


def _tried_email() -> str:
    return request.form.get("email", "").strip().lower()[:254]


def known_device() -> str | None:
    """This browser's device id if it signed in before to the account now being tried."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        data = _serializer().loads(cookie, max_age=int(DEVICE_MAX_AGE.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != _email_digest(_tried_email()):
        return None
    return str(data.get("device"))


def remember_device(response: Response, email: str) -> Response:
    """After a successful sign-in: mark this browser as one the account's owner uses."""
    value = _serializer().dumps({"account": _email_digest(email), "device": secrets.token_urlsafe(12)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=int(DEVICE_MAX_AGE.total_seconds()), path="/login",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), httponly=True, samesite="Lax")
    return response


def account_and_client_key() -> str:
    client = known_device() or get_remote_address()
    return f"login:{_email_digest(_tried_email())}:{client}"


def account_key() -> str:
    return f"login-account:{_email_digest(_tried_email())}"


def signed_in_account_key() -> str:
    return f"password-check:{current_user.get_id() if current_user.is_authenticated else '-'}"


def note_failed_password() -> None:
    g.password_check_failed = True


def password_check_failed(response: Response) -> bool:
    return bool(g.get("password_check_failed"))


def on_known_device() -> bool:
    return known_device() is not None
