"""Slow password hashing (argon2id) and the signed, expiring tokens of mailed links (reset, confirm, invitation)."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.accounts.models import User
from lms.extensions import db

RESET_SALT = "password-reset"
CONFIRM_SALT = "confirm-email"


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_HASH_TIME_COST"], memory_cost=config["PASSWORD_HASH_MEMORY_COST"],
        parallelism=config["PASSWORD_HASH_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Spent when the e-mail is unknown, so a failed sign-in takes as long either way.
_DUMMY_HASH: dict[tuple[int, int, int], str] = {}


def burn_password_check(password: str) -> None:
    config = current_app.config
    key = (config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_COST"], config["PASSWORD_HASH_PARALLELISM"])
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("not-a-real-password")
    try:
        _hasher().verify(_DUMMY_HASH[key], password)
    except VerificationError:
        pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user: User) -> str:
    # The tail of the current hash makes the token single-use: a new password changes it.
    return _serializer().dumps({"user": user.id, "hash": user.password_hash[-16:]})


def user_for_reset_token(token: str) -> User | None:
    """The user a reset token was made for, or None if it is invalid, expired or already used."""
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds())
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    if user is None or not user.is_active or user.password_hash[-16:] != data.get("hash"):
        return None
    return user


def make_confirmation_token(user: User) -> str:
    # Bound to the address and the password chosen with it: a later registration's password voids it.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT).dumps(
        {"user": user.id, "email": user.email, "hash": user.password_hash[-16:]})


def user_for_confirmation_token(token: str) -> User | None:
    """The account a confirmation link was made for, or None if the link is invalid, expired or outdated."""
    max_age = int(current_app.config["EMAIL_CONFIRMATION_MAX_AGE"].total_seconds())
    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.is_active or user.email != data.get("email") \
            or user.password_hash[-16:] != data.get("hash"):
        return None
    return user


INVITATION_SALT = "invitation"


def unusable_password_hash() -> str:
    """The hash of a random secret nobody knows: an invited account has no password until it chooses one.
    A fresh one on every invitation voids the links mailed before (they carry the old hash's tail)."""
    return hash_password(secrets.token_urlsafe(32))


def make_invitation_token(user: User) -> str:
    # Bound to the address and the unusable hash: a new invitation or a changed address voids the old link.
    return _invitation_serializer().dumps(
        {"user": user.id, "email": user.email, "hash": user.password_hash[-16:]})


def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def _invited_user(data) -> User | None:
    """The account an invitation's payload names, if that link is still its newest and unanswered."""
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.is_active or not user.is_invitation_pending or user.email != data.get("email") \
            or user.password_hash[-16:] != data.get("hash"):
        return None
    return user


def user_for_invitation_token(token: str) -> User | None:
    """The invited account a link was made for, or None if it is invalid, expired, outdated or already used."""
    max_age = int(current_app.config["INVITATION_MAX_AGE"].total_seconds())
    try:
        data = _invitation_serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return _invited_user(data)


def user_for_expired_invitation(token: str) -> User | None:
    """The invited account of a genuine link that only ran out of time: its owner may ask for a fresh one,
    mailed to the address on the account. A used, outdated or forged link gives None."""
    max_age = int(current_app.config["INVITATION_MAX_AGE"].total_seconds())
    serializer = _invitation_serializer()
    try:
        serializer.loads(token, max_age=max_age)
    except SignatureExpired as expired:
        try:
            return _invited_user(serializer.load_payload(expired.payload))
        except BadSignature:
            return None
    except BadSignature:
        return None
    return None
