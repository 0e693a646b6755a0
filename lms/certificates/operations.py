"""Certificate writes: issuing (on completion and by hand), re-issuing after a name correction, revoking.

Issuing is idempotent: an enrolment has at most one current certificate (the partial unique index
uq_certificate_current_enrolment), so completing again, re-running a batch or issuing for past
completions returns the existing certificate, and `mailed_at` means the trainee is told once.
Everything the certificate says is copied onto its row in the transaction that issues it; a job queued
after the commit renders and stores the PDF once and tells the trainee (lms/certificates/jobs.py), so
completing a whole class never renders inside a request. A download before the job ran renders it then.
"""
import logging

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, User
from lms.audit.operations import record
from lms.certificates import credentials, documents
from lms.certificates.models import Certificate
from lms.certificates.queries import completions_without_certificate, current_certificate
from lms.certificates.serials import new_serial
from lms.core import events
from lms.core.db import utcnow
from lms.core.urls import public_url
from lms.credentials.keys import KeysMissing, require_keys
from lms.core.i18n import speaking_to
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.jobs.engine import queue
from lms.notifications.operations import notify
from lms.core.transactions import Refused

log = logging.getLogger(__name__)


class CertificateRefused(Refused):
    """A certificate action the rules do not allow; the message is meant for the person acting."""


def _snapshot(certificate: Certificate) -> dict:
    return {"serial": certificate.serial, "name_latin": certificate.name_latin,
            "name_native": certificate.name_native, "course": certificate.course_title,
            "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
            "superseded_at": certificate.superseded_at.isoformat() if certificate.superseded_at else None}


def _check_programme_coordinator(user: User) -> None:
    if user.role is not Role.PROGRAMME_COORDINATOR:
        raise PermissionError("only programme coordinators issue, re-issue and revoke certificates")


def _frozen_fields(enrolment: Enrolment) -> dict:
    """What the certificate will say, as things stand at issue."""
    intake, course, user = enrolment.intake, enrolment.intake.course, enrolment.user
    return dict(
        name_latin=user.full_name, name_native=user.native_name,
        course_title=course.title, course_title_zh=course.title_zh, course_hours=course.hours,
        intake_starts_on=intake.starts_on, intake_ends_on=intake.ends_on, delivery_mode=intake.mode.value,
        location=intake.location, programme_title=intake.programme.title,
        programme_title_zh=intake.programme.title_zh, completed_on=enrolment.completed_at.date(),
    )


def _home_link() -> str:
    return public_url("/")


def mail_certificate(certificate: Certificate) -> bool:
    """Tells the trainee their certificate is ready, once; True if told now."""
    if certificate.mailed_at is not None:
        return False
    with speaking_to(certificate.user):
        notify(certificate.user,
               _("Your certificate for %(course)s is ready (serial %(serial)s). Download it from your home page.",
                 course=certificate.course_title, serial=certificate.serial),
               link=_home_link(), mail_subject=_("Your certificate is ready"))
    certificate.mailed_at = utcnow()
    return True


def _check_keys() -> None:
    """Nothing is issued unsigned: without the programme's keys, issuing is refused."""
    try:
        require_keys()
    except KeysMissing:
        raise CertificateRefused(_("Certificates cannot be issued: the programme's signing keys are not set up "
                                   "(an administrator runs “flask keys init”).")) from None


def _insert(certificate: Certificate) -> bool:
    """Adds the certificate unless the enrolment already has a current one (True if added)."""
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # issued at the same moment by another request
        return False
    return True


def _issue(enrolment: Enrolment, by: User | None, reason: str | None) -> Certificate:
    _check_keys()
    certificate = Certificate(serial=new_serial(), enrolment=enrolment, user=enrolment.user, issued_at=utcnow(),
                              issued_by=by, issue_reason=reason, **_frozen_fields(enrolment))
    if not _insert(certificate):
        return current_certificate(enrolment)
    credentials.issue_credential(certificate)  # signed once, before the PDF that carries it
    record(by, "certificate.issued", certificate, after=_snapshot(certificate), reason=reason)
    _produce_after_commit(certificate)
    db.session.flush()
    return certificate


def _produce_after_commit(certificate: Certificate) -> None:
    from lms.certificates.jobs import produce_certificate

    db.session.flush()
    queue(produce_certificate, certificate.id)


def issue_on_completion(enrolment: Enrolment) -> Certificate | None:
    """The certificate of a completed enrolment: the existing one, or a new one.

    None when the signing keys are missing: the completion stands, and `flask certificates issue-missing`
    issues the certificate once the keys are set up."""
    if enrolment.state is not EnrolmentState.COMPLETED:
        raise ValueError(f"enrolment {enrolment.id} is not completed")
    existing = current_certificate(enrolment)
    if existing is not None:
        return existing
    try:
        return _issue(enrolment, None, None)
    except CertificateRefused as refused:
        log.error("no certificate issued for enrolment %s: %s", enrolment.id, refused.message)
        return None


def _issue_on_completion(enrolment: Enrolment, **details) -> None:
    issue_on_completion(enrolment)


def listen() -> None:
    """A completed enrolment gets its certificate in the transaction that completed it (the PDF after the commit)."""
    events.connect(events.enrolment_completed, _issue_on_completion)


def issue_by_hand(enrolment: Enrolment, by: User, reason: str) -> Certificate:
    """A programme coordinator certifies an active or completed enrolment; an active one is completed first."""
    _check_programme_coordinator(by)
    _check_keys()  # before completing the enrolment, so a refused page still shows it as it is
    existing = current_certificate(enrolment)
    if existing is not None:
        raise CertificateRefused(_("This trainee already has certificate %(serial)s for this intake.",
                                   serial=existing.serial))
    if enrolment.state is EnrolmentState.ACTIVE:
        enrolment.move_to(EnrolmentState.COMPLETED, by=by, reason=reason)
    if enrolment.state is not EnrolmentState.COMPLETED:
        raise CertificateRefused(_("Only an active or completed enrolment can be certified."))
    return _issue(enrolment, by, reason)


def issue_missing() -> list[Certificate]:
    """Certificates for completed enrolments that have none (for example completed before certificates existed)."""
    _check_keys()
    return [issue_on_completion(enrolment) for enrolment in completions_without_certificate()]


def reissue_certificate(old: Certificate, by: User, name_latin: str, name_native: str | None,
                        reason: str) -> Certificate:
    """A new certificate with the corrected name and a new serial; the old one is marked superseded.

    The trainee's account takes the corrected name too, so later certificates are right. Whoever may correct
    the holder's names re-issues: a programme coordinator by hand, or the coordinator approving her request
    (lms/accounts/correction_operations.py).
    """
    if not by.can_correct_names_of(old.user):
        raise PermissionError("only a coordinator of the holder's country or a programme coordinator re-issues")
    _check_keys()
    if old.is_superseded:
        raise CertificateRefused(_("This certificate was already replaced by %(serial)s.",
                                   serial=old.superseded_by.serial if old.superseded_by else "?"))
    if old.is_revoked:
        raise CertificateRefused(_("A revoked certificate cannot be re-issued."))
    before = _snapshot(old)
    printed = {**{field: getattr(old, field) for field in documents.PRINTED_FIELDS},
               "name_latin": name_latin, "name_native": name_native or None}
    new = Certificate(serial=new_serial(), enrolment=old.enrolment, user=old.user, issued_at=utcnow(), issued_by=by,
                      issue_reason=reason, **printed)
    try:
        with db.session.begin_nested():
            old.superseded_at = new.issued_at
            db.session.flush()  # the old one stops being current before the new one is added
            db.session.add(new)
    except IntegrityError:  # re-issued at the same moment by someone else
        raise CertificateRefused(_("This certificate was re-issued by someone else at the same moment.")) from None
    old.superseded_by = new
    user = old.user
    user.full_name, user.native_name = name_latin, name_native or None
    credentials.issue_credential(new)
    record(by, "certificate.reissued", new, before=before, after=_snapshot(new), reason=reason)
    _produce_after_commit(new)
    db.session.flush()
    return new


def revoke_certificate(certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revokes a current certificate: verification says revoked, with the date and reason, and it stops counting."""
    _check_programme_coordinator(by)
    if certificate.is_revoked:
        raise CertificateRefused(_("This certificate is already revoked."))
    if certificate.is_superseded:
        raise CertificateRefused(_("This certificate was replaced by a newer one; revoke that one instead."))
    before = _snapshot(certificate)
    certificate.revoked_at, certificate.revoked_by, certificate.revocation_reason = utcnow(), by, reason
    record(by, "certificate.revoked", certificate, before=before, after=_snapshot(certificate), reason=reason)
    with speaking_to(certificate.user):
        notify(certificate.user,
               _("Your certificate %(serial)s for %(course)s has been revoked. Reason: %(reason)s",
                 serial=certificate.serial, course=certificate.course_title, reason=reason),
               mail_subject=_("Your certificate has been revoked"))
    db.session.flush()
    return certificate
