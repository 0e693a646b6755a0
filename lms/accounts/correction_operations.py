"""Correcting a trainee's names: she asks, a coordinator of her country decides, her certificates follow.

Her names are printed on certificates, so she cannot change them herself. On approval the account takes
the new names and every valid certificate of hers is re-issued with them (lms.certificates.operations
.reissue_certificate: a new serial, the old one marked superseded, the PDF rendered by a job after the
commit); she is told either way, by the app and by mail, once the decision is committed.
"""
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import CorrectionState, NameCorrection, NameCorrectionRefused, Role, User
from lms.accounts.queries import pending_correction
from lms.audit.operations import record
from lms.core.i18n import speaking_to
from lms.core.urls import external_url
from lms.extensions import db
from lms.notifications.operations import notify


def request_name_correction(user: User, *, full_name: str, native_name: str | None, reason: str) -> NameCorrection:
    """Her request for new names; refused if one is already waiting or if the names would not change."""
    if user.role is not Role.TRAINEE:
        raise PermissionError("only trainees ask for a name correction; staff names are an administrator's")
    native_name = native_name or None
    if (full_name, native_name) == (user.full_name, user.native_name):
        raise NameCorrectionRefused(_("These are your names as they are now: change the one that is wrong."))
    if pending_correction(user) is not None:
        raise NameCorrectionRefused(_("You have already asked for a correction; it is waiting for a coordinator. "
                                      "You can ask again once it is decided."))
    correction = NameCorrection(user=user, full_name=full_name, native_name=native_name,
                                old_full_name=user.full_name, old_native_name=user.native_name, reason=reason)
    try:
        with db.session.begin_nested():
            db.session.add(correction)
    except IntegrityError:  # asked twice at the same moment
        raise NameCorrectionRefused(_("You have already asked for a correction; it is waiting for a coordinator."
                                      )) from None
    record(user, "user.name_correction_requested", correction,
           after={"full_name": full_name, "native_name": native_name}, reason=reason)
    return correction


def _check_decider(by: User, correction: NameCorrection) -> None:
    if not by.can_correct_names_of(correction.user):
        raise PermissionError("not allowed to decide this name correction")
    # Locked (PostgreSQL) and read again: of two coordinators deciding at once, the second finds it decided.
    db.session.refresh(correction, with_for_update=True)


def approve_name_correction(correction: NameCorrection, by: User, reason: str | None = None) -> NameCorrection:
    """The names change, every valid certificate of hers is re-issued with them, and she is told."""
    from lms.certificates.operations import reissue_certificate
    from lms.certificates.queries import certificates_of

    _check_decider(by, correction)
    # One piece: a certificate whose re-issue is refused half way leaves her names, the decision and the
    # certificates re-issued before it as they were, whoever called (and whatever the caller then keeps).
    with db.session.begin_nested():
        correction.decide(CorrectionState.APPROVED, by, reason)
        user = correction.user
        before = {"full_name": user.full_name, "native_name": user.native_name}
        user.full_name, user.native_name = correction.full_name, correction.native_name
        record(by, "user.name_corrected", user, before=before,
               after={"full_name": user.full_name, "native_name": user.native_name},
               reason=reason or correction.reason)
        reissued = [reissue_certificate(certificate, by, correction.full_name, correction.native_name,
                                        correction.reason)
                    for certificate in certificates_of(user) if certificate.is_valid]
        with speaking_to(user):
            message = _("Your name is corrected to %(name)s.", name=correction.full_name)
            if reissued:
                message += " " + _("Your certificates are issued again with it (new serials: %(serials)s); the "
                                   "previous ones are marked as replaced.",
                                   serials=", ".join(certificate.serial for certificate in reissued))
            notify(user, message, link=external_url("accounts.show_profile"),
                   mail_subject=_("Your name is corrected"))
    return correction


def refuse_name_correction(correction: NameCorrection, by: User, reason: str) -> NameCorrection:
    """Nothing changes; she is told why."""
    _check_decider(by, correction)
    correction.decide(CorrectionState.REFUSED, by, reason)
    record(by, "user.name_correction_refused", correction, reason=reason)
    user = correction.user
    with speaking_to(user):
        notify(user, _("Your request to correct your name to %(name)s was refused. Reason: %(reason)s",
                       name=correction.full_name, reason=reason),
               link=external_url("accounts.show_profile"), mail_subject=_("Your name correction was refused"))
    db.session.flush()
    return correction
