"""What makes a password acceptable: long enough, and not a common password in disguise."""
import re
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _disguises(password: str) -> set[str]:
    """The forms people make a common password long with: digits or symbols added, or repeated."""
    lowered = password.lower()
    forms = {lowered, re.sub(r"^[\d\W_]+|[\d\W_]+$", "", lowered)}
    # A common password with digits or symbols before or after it ("1234567890123", "iloveyou2024").
    for size in range(6, len(lowered)):
        head, tail = lowered[:size], lowered[size:]
        if not re.search(r"[^\d\W_]", tail):
            forms.add(head)
        head, tail = lowered[:-size], lowered[-size:]
        if not re.search(r"[^\d\W_]", head):
            forms.add(tail)
    for size in range(1, len(lowered) // 2 + 1):
        unit = lowered[:size]
        if len(lowered) % size == 0 and unit * (len(lowered) // size) == lowered:
            forms.add(unit)
            break
    return {form for form in forms if form}


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH)
    if len(set(password)) < 4:
        return _("Use more different characters.")
    common = common_passwords()
    if any(form in common for form in _disguises(password)):
        return _("This password is one of the most common passwords. Choose something less predictable, "
                 "such as a short sentence.")
    if email and email.split("@")[0].lower() in password.lower() and len(email.split("@")[0]) >= 4:
        return _("Do not use your e-mail address in your password.")
    return None
