"""Reads of the certificates domain: verification, who may download what, lists for trainees and coordinators."""
import enum
from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Role, User
from lms.certificates.models import Certificate
from lms.certificates.serials import SerialMalformed, SerialMistyped, normalise_serial
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db

# Enrolments that have, or may be given, a certificate.
CERTIFIABLE_STATES = (EnrolmentState.ACTIVE, EnrolmentState.COMPLETED)


class Status(enum.Enum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


class Problem(enum.Enum):
    """Why a typed serial could not be looked up."""

    MALFORMED = "serial_malformed"
    MISTYPED = "serial_mistyped"


@dataclass
class Verification:
    serial: str  # as typed if it could not be read, else its grouped form
    status: Status
    certificate: Certificate | None = None
    problem: Problem | None = None


def status_of(certificate: Certificate) -> Status:
    if certificate.is_revoked:
        return Status.REVOKED
    if certificate.is_superseded:
        return Status.SUPERSEDED
    return Status.VALID


def get_certificate(serial: str) -> Certificate | None:
    """The certificate with this serial as typed (any case, with or without dashes), or None."""
    try:
        serial = normalise_serial(serial)
    except ValueError:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.serial == serial))


def verify(typed: str) -> Verification:
    typed = typed.strip()[:60]
    try:
        serial = normalise_serial(typed)
    except SerialMistyped:
        return Verification(typed, Status.UNKNOWN, problem=Problem.MISTYPED)
    except SerialMalformed:
        return Verification(typed, Status.UNKNOWN, problem=Problem.MALFORMED)
    certificate = db.session.scalar(select(Certificate).where(Certificate.serial == serial))
    if certificate is None:
        return Verification(serial, Status.UNKNOWN)
    return Verification(serial, status_of(certificate), certificate)


def may_download(user: User, certificate: Certificate) -> bool:
    """Its owner while it is valid; coordinators of the trainee's country and programme staff always."""
    if user.id == certificate.user_id:
        return certificate.is_valid
    return user.role is not Role.TRAINEE and user.can_manage_country(certificate.user.country_id)


def get_downloadable_certificate_or_404(serial: str, user: User) -> Certificate:
    certificate = get_certificate(serial)
    if certificate is None or not may_download(user, certificate):
        abort(404)
    return certificate


def current_certificate(enrolment: Enrolment) -> Certificate | None:
    """The enrolment's certificate that is not superseded (valid or revoked), if any."""
    return db.session.scalar(select(Certificate).where(
        Certificate.enrolment_id == enrolment.id, Certificate.superseded_at.is_(None)))


def certificates_of(user: User) -> list[Certificate]:
    """A trainee's current certificates (revoked ones too, so they see why), newest first."""
    return list(db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.superseded_at.is_(None))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def _country_scope(query, user: User):
    if user.role is Role.COUNTRY_COORDINATOR:
        return query.where(User.country_id == user.country_id)
    return query


def intake_rows(intake: Intake, user: User) -> list[tuple[Enrolment, Certificate | None]]:
    """Active and completed enrolments of an intake that `user` may see, each with its current certificate."""
    query = (
        select(Enrolment, Certificate).join(Enrolment.user)
        .outerjoin(Certificate, (Certificate.enrolment_id == Enrolment.id) & Certificate.superseded_at.is_(None))
        .where(Enrolment.intake_id == intake.id, Enrolment.state.in_(CERTIFIABLE_STATES))
        .options(joinedload(Enrolment.user))
        .order_by(User.full_name, Enrolment.id)
    )
    return [(enrolment, certificate) for enrolment, certificate in db.session.execute(_country_scope(query, user))]


def valid_certificates_of_intake(intake: Intake, user: User) -> list[Certificate]:
    query = (
        select(Certificate).join(Certificate.enrolment).join(Certificate.user)
        .where(Enrolment.intake_id == intake.id, Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None))
        .order_by(User.full_name, Certificate.id)
    )
    return list(db.session.scalars(_country_scope(query, user)))


def intakes_with_certificates(user: User) -> list[tuple[Intake, int, int]]:
    """Intakes with someone active or completed that `user` may see: (intake, completed, valid certificates)."""
    completed = func.count(Enrolment.id.distinct()).filter(Enrolment.state == EnrolmentState.COMPLETED)
    certified = func.count(Certificate.id.distinct())
    query = (
        select(Intake, completed, certified).join(Enrolment, Enrolment.intake_id == Intake.id).join(Enrolment.user)
        .outerjoin(Certificate, (Certificate.enrolment_id == Enrolment.id) & Certificate.superseded_at.is_(None)
                   & Certificate.revoked_at.is_(None))
        .where(Enrolment.state.in_(CERTIFIABLE_STATES))
        .group_by(Intake.id)
        .order_by(Intake.starts_on.desc(), Intake.id.desc())
    )
    return [tuple(row) for row in db.session.execute(_country_scope(query, user))]


def certificates_to_render(intake_id: int | None = None) -> list[Certificate]:
    """Valid certificates, of one intake or of all, for batch rendering."""
    query = select(Certificate).where(Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None))
    if intake_id is not None:
        query = query.join(Certificate.enrolment).where(Enrolment.intake_id == intake_id)
    return list(db.session.scalars(query.order_by(Certificate.id)))


def completions_without_certificate() -> list[Enrolment]:
    """Completed enrolments with no current certificate (completed before certificates existed, for example)."""
    has_certificate = select(Certificate.id).where(
        Certificate.enrolment_id == Enrolment.id, Certificate.superseded_at.is_(None)).exists()
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.state == EnrolmentState.COMPLETED, ~has_certificate).order_by(Enrolment.id)))


def status_list_indexes() -> list[int]:
    """The status-list indexes (id - 1) of every revoked or replaced certificate."""
    return [certificate_id - 1 for certificate_id in db.session.scalars(
        select(Certificate.id).where(Certificate.revoked_at.is_not(None) | Certificate.superseded_at.is_not(None)))]
