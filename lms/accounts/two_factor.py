"""Two-factor sign-in with time-based one-time codes (TOTP) and one-time recovery codes."""
import hashlib
import secrets

import pyotp
import segno
from sqlalchemy import select

from lms.accounts.models import RecoveryCode, User
from lms.audit.operations import record
from lms.core.db import utcnow
from lms.extensions import db

ISSUER = "ASEAN-China Telecom Training"
RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The setup QR code as inline SVG (no image file, nothing fetched)."""
    return segno.make(uri, error="m").svg_inline(scale=4, title="Two-factor setup code")


def _accepted_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step a code belongs to (this one or either neighbour), if newer than the last used."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for step in (now_step, now_step - 1, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").lower().encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are shown once and never stored."""
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(old)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user=user, code_hash=_hash_code(code)) for code in codes)
    db.session.flush()
    return codes


def enable_two_factor(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-factor sign-in on once the person proves their app shows the right code."""
    step = _accepted_step(secret, code, None)
    if step is None:
        return None
    user.totp_secret, user.totp_last_step, user.two_factor_enabled_at = secret, step, utcnow()
    record(user, "user.two_factor_enabled", user)
    return new_recovery_codes(user)


def disable_two_factor(user: User) -> None:
    user.totp_secret = user.totp_last_step = user.two_factor_enabled_at = None
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(old)
    record(user, "user.two_factor_disabled", user)


def verify_second_factor(user: User, code: str) -> bool:
    """A current TOTP code (each usable once) or an unused recovery code."""
    if not user.has_two_factor:
        return False
    step = _accepted_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    recovery = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(code), RecoveryCode.used_at.is_(None)))
    if recovery is not None:
        recovery.used_at = utcnow()
        record(user, "user.recovery_code_used", user)
        return True
    return False
