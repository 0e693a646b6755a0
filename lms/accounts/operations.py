"""Account writes: registration, sign-in bookkeeping, password reset, role changes."""
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import COUNTRY_ROLES, Category, Gender, OrganisationType, Role, TraineeProfile, User
from lms.accounts.passwords import hash_password, make_confirmation_token, make_reset_token
from lms.audit.operations import record
from lms.core.db import utcnow
from lms.core.urls import external_url
from lms.core.i18n import speaking_to
from lms.extensions import db
from lms.notifications.operations import send_mail


def register_trainee(*, email: str, password: str, full_name: str, native_name: str | None, country_id: int,
                     organisation: str, position: str, category: Category, gender: Gender | None,
                     organisation_type: OrganisationType | None = None,
                     language: str | None = None) -> User | None:
    """A new trainee account that works once its address is confirmed; None if the address had one already.
    She speaks the language she registered in (her clock comes from her country).

    Either way one mail goes to the address and the person registering learns nothing about it: the
    owner of an existing account is told, with a link to choose a password (which also confirms it).
    """
    password_hash = hash_password(password)  # spent either way, so both answers take as long
    email = email.lower()
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        if existing.is_active:
            _mail_existing_account(existing)
        return None
    user = User(
        email=email, password_hash=password_hash, role=Role.TRAINEE, full_name=full_name,
        native_name=native_name or None, country_id=country_id, email_confirmed_at=None, language=language,
    )
    user.profile = TraineeProfile(organisation=organisation, organisation_type=organisation_type, position=position,
                                  category=category, gender=gender)
    db.session.add(user)
    db.session.flush()
    record(user, "user.registered", user)
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    link = external_url("accounts.confirm_email", token=make_confirmation_token(user))
    with speaking_to(user):
        send_mail(user.email, _("Confirm your address to activate your account"), _(
            "Hello %(name)s,\n\nThank you for registering on the ASEAN-China telecom training platform. Open this "
            "link within three days to confirm that this address is yours and activate your account:\n\n%(link)s"
            "\n\nIf you did not register, ignore this message: no account will be activated.",
            name=user.full_name, link=link))


def _mail_existing_account(user: User) -> None:
    link = external_url("accounts.reset_password", token=make_reset_token(user))
    with speaking_to(user):
        send_mail(user.email, _("You already have an account"), _(
            "Hello %(name)s,\n\nSomeone (we hope you) tried to register on the ASEAN-China telecom training "
            "platform with this address, which already has an account. Sign in as usual or, if you do not know "
            "your password, choose one within one hour with this link:\n\n%(link)s\n\nIf it was not you, "
            "ignore this message: nothing has changed.", name=user.full_name, link=link))


def confirm_email(user: User) -> bool:
    """Mark the address as the person's own; True if it was waiting."""
    if user.email_confirmed_at is not None:
        return False
    user.email_confirmed_at = utcnow()
    record(user, "user.email_confirmed", user)
    return True


def set_preferences(user: User, *, language: str | None = None, time_zone: str | None = None) -> User:
    """The reader's own language and clock; None leaves a setting as it is."""
    if language is not None:
        user.language = language
    if time_zone is not None:
        user.time_zone = time_zone
    return user


def record_sign_in(user: User) -> None:
    user.last_login_at = utcnow()


def send_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active account; say nothing either way."""
    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None or not user.is_active:
        return
    link = external_url("accounts.reset_password", token=make_reset_token(user))
    with speaking_to(user):
        body = _(
            "Hello %(name)s,\n\nSomeone (we hope you) asked to reset the password of your account on the "
            "ASEAN-China telecom training platform. Open this link within one hour to choose a new one:\n\n"
            "%(link)s\n\nIf you did not ask for this, ignore this message: your password stays as it is.",
            name=user.full_name, link=link,
        )
        send_mail(user.email, _("Reset your password"), body)


def set_password(user: User, password: str, *, by_mailed_link: bool = False) -> None:
    user.password_hash = hash_password(password)
    record(user, "user.password_reset", user)
    if by_mailed_link:
        confirm_email(user)  # the link reached the address: a nominated trainee is confirmed this way


def update_user(admin: User, user: User, *, full_name: str, role: Role, country_id: int | None,
                is_active: bool, reason: str | None, reset_two_factor: bool = False) -> User:
    """Change a user's name, role, scope or status; role and status changes are audited."""
    if reset_two_factor and user.has_two_factor:
        user.totp_secret = user.totp_last_step = user.two_factor_enabled_at = None
        record(admin, "user.two_factor_reset", user, reason=reason)
    if not is_active and user.is_active:
        user.session_version += 1  # a deactivated account is signed out everywhere at once
    before = {"role": user.role.value, "country_id": user.country_id, "is_active": user.is_active,
              "full_name": user.full_name}
    user.full_name = full_name
    user.role = role
    user.country_id = country_id if role in COUNTRY_ROLES or country_id else None
    user.is_active = is_active
    after = {"role": user.role.value, "country_id": user.country_id, "is_active": user.is_active,
             "full_name": user.full_name}
    if before != after:
        action = "user.role_changed" if before["role"] != after["role"] else "user.updated"
        record(admin, action, user, before=before, after=after, reason=reason)
    db.session.flush()
    return user
