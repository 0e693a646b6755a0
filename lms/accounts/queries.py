"""Reads about people shared by the admin's and the coordinators' lists, and about name corrections."""
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import CorrectionState, NameCorrection, Role, User
from lms.extensions import db


def people_matching(search: str):
    """A condition: the search appears, in any case, in the person's name (either script) or e-mail.
    Wildcards typed by the user (% and _) match themselves."""
    needle = search.lower()
    return or_(func.lower(User.full_name).contains(needle, autoescape=True),
               func.lower(User.native_name).contains(needle, autoescape=True),
               User.email.contains(needle, autoescape=True))  # stored lower-cased


def email_taken(email: str, other_than: User | None = None) -> bool:
    """Whether another account already uses the address (stored lower-cased)."""
    query = select(User.id).where(User.email == email.lower())
    if other_than is not None:
        query = query.where(User.id != other_than.id)
    return db.session.scalar(select(exists(query))) or False


def has_enrolments(user: User) -> bool:
    """Whether the person ever asked for or held a place: their history counts for their country."""
    from lms.enrolment.models import Enrolment  # enrolment builds on accounts, not the reverse

    return user.id is not None and bool(db.session.scalar(select(exists().where(Enrolment.user_id == user.id))))


def pending_correction(user: User) -> NameCorrection | None:
    """The trainee's name correction waiting for a decision, if any (there is at most one)."""
    return db.session.scalar(select(NameCorrection).where(NameCorrection.user_id == user.id,
                                                          NameCorrection.state == CorrectionState.PENDING))


def last_correction(user: User) -> NameCorrection | None:
    """Her latest name correction, so her profile says what became of it."""
    return db.session.scalar(select(NameCorrection).where(NameCorrection.user_id == user.id)
                             .order_by(NameCorrection.requested_at.desc(), NameCorrection.id.desc()).limit(1))


def corrections_for(coordinator: User, *, pending: bool, limit: int | None = None) -> list[NameCorrection]:
    """The name corrections a coordinator decides (her country's; a programme coordinator's: everyone's):
    the waiting ones oldest first, or the decided ones newest first."""
    query = (select(NameCorrection).join(NameCorrection.user).options(joinedload(NameCorrection.user))
             .where((NameCorrection.state == CorrectionState.PENDING) if pending
                    else (NameCorrection.state != CorrectionState.PENDING))
             .order_by(*((NameCorrection.requested_at, NameCorrection.id) if pending
                         else (NameCorrection.decided_at.desc(), NameCorrection.id.desc())))
             .limit(limit))
    if coordinator.role is not Role.PROGRAMME_COORDINATOR:
        query = query.where(User.country_id == coordinator.country_id)
    return list(db.session.scalars(query))
