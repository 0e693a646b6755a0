"""Personal API tokens: create (the secret is shown once, only its SHA-256 kept), revoke, and look up."""
import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.accounts.tokens import ApiToken
from lms.audit.operations import record
from lms.core.db import utcnow
from lms.extensions import db
from lms.core.transactions import Refused

# Bandit B105 does not apply: a public prefix that marks our tokens, not a secret.
TOKEN_PREFIX = "lms_"  # nosec B105
MAX_ACTIVE_TOKENS = 10


class TokenRefused(Refused):
    """A token action the rules do not allow; the message is meant for the person acting."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def active_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its secret, which is never stored nor shown again."""
    count = db.session.scalar(select(func.count()).select_from(ApiToken)
                              .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    if count >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(_("You already have %(count)d active tokens. Revoke one you no longer use first.",
                             count=MAX_ACTIVE_TOKENS))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_hash(secret), prefix=secret[:12], created_at=utcnow())
    db.session.add(token)
    db.session.flush()
    record(user, "api_token.created", token, after={"name": name, "prefix": token.prefix})
    return token, secret


def revoke_token(token: ApiToken, by: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(by, "api_token.revoked", token, before={"revoked_at": None},
               after={"revoked_at": token.revoked_at.isoformat(timespec="seconds")})
        db.session.flush()
    return token


def user_for_token(secret: str) -> User | None:
    """The active user a valid, unrevoked token belongs to, noting when it was used; None otherwise."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or not token.is_active or not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    return token.user
