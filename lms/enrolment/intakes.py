"""Creating and changing intakes (programme staff)."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.audit.operations import record
from lms.catalogue.models import Course
from lms.core import clock
from lms.enrolment.models import DeliveryMode, Intake
from lms.enrolment.operations import EnrolmentRefused
from lms.programme.quota import places_taken
from lms.extensions import db
from lms.programme.models import Programme


def _snapshot(intake: Intake) -> dict:
    return {"course_id": intake.course_id, "title": intake.title, "mode": intake.mode.value,
            "starts_on": intake.starts_on.isoformat(), "ends_on": intake.ends_on.isoformat(),
            "capacity": intake.capacity, "location": intake.location,
            "attendance_threshold": intake.attendance_threshold,
            "instructors": sorted(user.id for user in intake.instructors)}


def save_intake(intake: Intake | None, by: User, programme: Programme, *, course: Course, title: str,
                mode: DeliveryMode, starts_on: date, ends_on: date, capacity: int, location: str | None,
                attendance_threshold: int, instructor_ids: list[int]) -> Intake:
    """Create (intake None) or change an intake; capacity never drops below the places already given."""
    before = _snapshot(intake) if intake else None
    if intake is None:
        intake = Intake(programme=programme)
        db.session.add(intake)
    elif capacity < places_taken(intake):
        raise EnrolmentRefused(_("%(taken)d people already hold a place; capacity cannot be lower.",
                                 taken=places_taken(intake)))
    intake.course, intake.title, intake.mode = course, title, mode
    intake.starts_on, intake.ends_on, intake.capacity = starts_on, ends_on, capacity
    intake.location = location if mode is not DeliveryMode.ONLINE else None
    intake.attendance_threshold = attendance_threshold if mode is not DeliveryMode.ONLINE else 0
    intake.instructors = list(db.session.scalars(
        select(User).where(User.id.in_(instructor_ids), User.role == Role.INSTRUCTOR))) if instructor_ids else []
    db.session.flush()
    record(by, "intake.created" if before is None else "intake.updated", intake, before=before,
           after=_snapshot(intake))
    if intake.starts_on <= clock.today():  # moved to a start that has come: its places become active now
        from lms.enrolment.lifecycle import start_intakes

        start_intakes(clock.today(), intake_id=intake.id)
    return intake
