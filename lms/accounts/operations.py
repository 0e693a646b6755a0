"""Account writes: registration, invitations, sign-in bookkeeping, password reset, the admin's changes."""
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import COUNTRY_ROLES, Category, Gender, OrganisationType, Role, TraineeProfile, User
from lms.accounts.passwords import (hash_password, make_confirmation_token, make_invitation_token, make_reset_token,
                                    unusable_password_hash)
from lms.accounts.queries import email_taken, has_enrolments
from lms.audit.operations import record
from lms.core.db import utcnow
from lms.core.urls import external_url
from lms.core.i18n import speaking_to
from lms.extensions import db
from lms.notifications.operations import send_mail
from lms.core.transactions import Refused


class AccountRefused(Refused):
    """An account change the rules do not allow; `field` is the form field the message belongs next to."""

    code = "refused"

    def __init__(self, field: str, message: str):
        super().__init__(message, field)


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


def set_work_details(user: User, *, organisation: str, position: str, category: Category,
                     organisation_type: OrganisationType | None, gender: Gender | None) -> bool:
    """A trainee's own correction of her work details, audited; True if anything changed. The quota reports
    count by them: their kept figures are renewed by the commit (lms/reports/freshness.py)."""
    profile = user.profile
    if profile is None:
        raise PermissionError("only trainees have work details")
    before = _work_details(profile)
    profile.organisation, profile.position, profile.category = organisation, position, category
    profile.organisation_type, profile.gender = organisation_type, gender
    after = _work_details(profile)
    changed = [key for key in after if before[key] != after[key]]
    if changed:
        record(user, "user.work_details_changed", user, before={key: before[key] for key in changed},
               after={key: after[key] for key in changed})
    return bool(changed)


def _work_details(profile: TraineeProfile) -> dict:
    return {"organisation": profile.organisation, "position": profile.position, "category": profile.category.value,
            "organisation_type": profile.organisation_type.value if profile.organisation_type else None,
            "gender": profile.gender.value if profile.gender else None}


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
    user.invited_at = None  # an invitation is answered once a password is chosen, whichever link did it
    record(user, "user.password_reset", user)
    if by_mailed_link:
        confirm_email(user)  # the link reached the address: a nominated trainee is confirmed this way


def _check_country(role: Role, country_id: int | None, *, kept: int | None = None) -> None:
    """Trainees and country coordinators belong to one country; other roles have none, except that a
    person with enrolments keeps theirs (`kept`), where their places and certificates count."""
    if role in COUNTRY_ROLES and country_id is None:
        raise AccountRefused("country", _("Trainees and country coordinators need a country."))
    if kept is not None and country_id is None:
        raise AccountRefused("country", _("This person has enrolments, which count for their country: it "
                                          "stays, whatever their role."))
    if role not in COUNTRY_ROLES and country_id is not None and country_id != kept:
        raise AccountRefused("country", _("Only trainees and country coordinators have a country: choose "
                                          "\"No country\" for %(role)s.", role=role.label))


def _check_profile(role: Role, organisation: str | None, position: str | None, category: Category | None) -> None:
    if role is not Role.TRAINEE:
        return
    for field, value, message in (("organisation", organisation, _("Trainees need an organisation.")),
                                  ("position", position, _("Trainees need a position.")),
                                  ("category", category, _("Trainees need a category."))):
        if not value:
            raise AccountRefused(field, message)


def _check_email_free(email: str, user: User | None = None) -> None:
    if email_taken(email, other_than=user):
        raise AccountRefused("email", _("%(email)s already belongs to another account.", email=email))


def invite_user(by: User, *, email: str, role: Role, full_name: str, native_name: str | None = None,
                country_id: int | None = None, organisation: str | None = None, position: str | None = None,
                category: Category | None = None, organisation_type: OrganisationType | None = None,
                gender: Gender | None = None) -> User:
    """A new account of any role, made by staff, with no password yet: the person gets a mailed link to
    choose one (which also confirms the address). Trainees get their profile; AccountRefused says what is wrong."""
    email = email.lower()
    _check_email_free(email)
    _check_country(role, country_id)
    _check_profile(role, organisation, position, category)
    user = User(email=email, password_hash=unusable_password_hash(), role=role, full_name=full_name,
                native_name=native_name or None, country_id=country_id, email_confirmed_at=None)
    if role is Role.TRAINEE:
        user.profile = TraineeProfile(organisation=organisation, organisation_type=organisation_type,
                                      position=position, category=category, gender=gender)
    db.session.add(user)
    db.session.flush()
    record(by, "user.invited", user, after={"email": user.email, "role": role.value, "country_id": country_id,
                                            "full_name": full_name})
    _send_invitation(user, by)
    return user


def resend_invitation(by: User, user: User) -> User:
    """A new link for someone who has not chosen a password yet; the links mailed before stop working."""
    if not user.is_invitation_pending:
        raise AccountRefused("email", _("%(name)s has already chosen a password; they can use 'Forgot your "
                                        "password?' on the sign-in page.", name=user.full_name))
    if not user.is_active:
        raise AccountRefused("email", _("This account is deactivated: activate it before inviting again."))
    user.password_hash = unusable_password_hash()
    record(by, "user.invitation_resent", user, after={"email": user.email})
    _send_invitation(user, by)
    return user


def renew_expired_invitation(user: User) -> User:
    """The invited person's own request from a link that ran out of time: a fresh link to the account's address."""
    user.password_hash = unusable_password_hash()
    record(user, "user.invitation_renewed", user, after={"email": user.email})
    _send_invitation(user, user, renewed=True)
    return user


def _send_invitation(user: User, by: User, renewed: bool = False) -> None:
    user.invited_at = utcnow()
    link = external_url("accounts.accept_invitation", token=make_invitation_token(user))
    days = current_app.config["INVITATION_MAX_AGE"].days
    with speaking_to(user):
        if renewed:
            send_mail(user.email, _("Your new link to the ASEAN-China telecom training platform"), _(
                "Hello %(name)s,\n\nYou asked for a new invitation link. Choose your password within %(days)d days "
                "with this link:\n\n%(link)s\n\nThe links sent to you before no longer work.",
                name=user.full_name, days=days, link=link))
            return
        send_mail(user.email, _("Your account on the ASEAN-China telecom training platform"), _(
            "Hello %(name)s,\n\n%(inviter)s has created your account on the ASEAN-China telecom training platform, "
            "as %(role)s. Choose your password within %(days)d days with this link:\n\n%(link)s\n\nIf the link "
            "has expired, open it anyway: the page lets you ask for a new one.",
            name=user.full_name, inviter=by.full_name, role=str(user.role.label), days=days, link=link))


def _mail_address_changed(old_email: str, user: User) -> None:
    with speaking_to(user):
        send_mail(old_email, _("Your address on the ASEAN-China telecom training platform has changed"), _(
            "Hello %(name)s,\n\nAn administrator has changed the e-mail address of your account on the "
            "ASEAN-China telecom training platform to %(email)s. Mail now goes there. If this is wrong, "
            "reply to your coordinator.", name=user.full_name, email=user.email))


def update_user(admin: User, user: User, *, full_name: str, role: Role, country_id: int | None,
                is_active: bool, reason: str | None, reset_two_factor: bool = False, email: str | None = None,
                native_name: str | None = None, organisation: str | None = None, position: str | None = None,
                organisation_type: OrganisationType | None = None, category: Category | None = None) -> User:
    """The admin's changes to an account, each refused with AccountRefused if a rule forbids it, and audited.

    A new e-mail must be free and is not yet proven: the account waits for its owner to confirm it (the
    link goes to the new address; an invitation still open is sent there again) and the old address is
    told. Moving a trainee who holds places to another country keeps their enrolments, so it is refused
    where that country has no place left."""
    email = (email or user.email).lower()
    kept = user.country_id if has_enrolments(user) else None
    if email != user.email:
        _check_email_free(email, user)
    _check_country(role, country_id, kept=kept)
    profile = user.profile
    if role is Role.TRAINEE or profile is not None:
        _check_profile(role, organisation, position, category or (profile.category if profile else None))
    if country_id is not None and country_id != user.country_id:
        from lms.programme.quota import programmes_full_for_move

        full = programmes_full_for_move(user, country_id)
        if full:
            raise AccountRefused("country", _(
                "%(name)s holds a place in %(programmes)s, where this country has no place left. A programme "
                "coordinator can raise its allocation first.",
                name=user.full_name, programmes=", ".join(programme.title for programme in full)))
    if reset_two_factor and user.has_two_factor:
        user.totp_secret = user.totp_last_step = user.two_factor_enabled_at = None
        record(admin, "user.two_factor_reset", user, reason=reason)
    if not is_active and user.is_active:
        user.session_version += 1  # a deactivated account is signed out everywhere at once
    before = _audited(user)
    old_email = user.email
    user.email = email
    user.full_name = full_name
    user.native_name = native_name or None
    user.role = role
    user.country_id = country_id
    user.is_active = is_active
    if profile is None and role is Role.TRAINEE:
        profile = user.profile = TraineeProfile(organisation=organisation, position=position, category=category)
    if profile is not None:
        profile.organisation = organisation or profile.organisation
        profile.position = position or profile.position
        profile.organisation_type = organisation_type
        profile.category = category or profile.category
    if email != old_email:
        user.email_confirmed_at = None
    after = _audited(user)
    changed = [key for key in after if before.get(key) != after[key]]
    if changed:
        action = "user.role_changed" if "role" in changed else "user.updated"
        record(admin, action, user, before={key: before.get(key) for key in changed},
               after={key: after[key] for key in changed}, reason=reason)
    db.session.flush()
    if email != old_email:
        if user.is_invitation_pending:
            _send_invitation(user, admin)
        else:
            send_confirmation(user)
        _mail_address_changed(old_email, user)
    return user


def _audited(user: User) -> dict:
    values = {"email": user.email, "email_confirmed": user.is_confirmed, "full_name": user.full_name,
              "native_name": user.native_name, "role": user.role.value, "country_id": user.country_id,
              "is_active": user.is_active}
    if user.profile is not None:
        profile = user.profile
        values.update(organisation=profile.organisation, position=profile.position,
                      organisation_type=profile.organisation_type.value if profile.organisation_type else None,
                      category=profile.category.value if profile.category else None)
    return values
