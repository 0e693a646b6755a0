"""Reads about announcements: who receives one, and an intake's announcements newest first."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.announcements.models import Announcement
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db

# Holding a place now: not requested, waitlisted, rejected or withdrawn, and not yet finished.
RECIPIENT_STATES = (EnrolmentState.APPROVED, EnrolmentState.ACTIVE)


def recipients(intake: Intake) -> list[Enrolment]:
    """The enrolments an announcement is delivered to, one per person."""
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.intake_id == intake.id, Enrolment.state.in_(RECIPIENT_STATES))
        .options(joinedload(Enrolment.user)).order_by(Enrolment.id))
    by_person = {}
    for enrolment in enrolments:
        by_person.setdefault(enrolment.user_id, enrolment)
    return list(by_person.values())


def announcements_of(intake: Intake) -> list[Announcement]:
    return list(db.session.scalars(
        select(Announcement).where(Announcement.intake_id == intake.id)
        .options(joinedload(Announcement.author)).order_by(Announcement.posted_at.desc(), Announcement.id.desc())))
