"""The calendar moves enrolments, in the programme's zone, as the system (no person acting).

When an intake starts, its approved enrolments become active and requests nobody decided are closed
with a notice. When it has ended and the grading grace period (COMPLETION_GRACE_DAYS) has passed, each
active enrolment is completed or failed by the gradebook's completion rule, and the waiting list is
closed. Only enrolments still in the state a step starts from are moved, so running it twice moves
nothing twice; on PostgreSQL the rows are locked (SKIP LOCKED) so two workers never move the same one.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.operations import record
from lms.core import clock
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.notifications.operations import notify

ACTIVATED = "The intake has started"
REQUEST_CLOSED = "The intake started before the request was decided"
WAITLIST_CLOSED = "The intake ended before a place was freed"
FAILED = "The intake ended without every completion condition met"


@dataclass
class Moved:
    activated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.activated or self.closed or self.completed or self.failed)


def grace() -> timedelta:
    return timedelta(days=current_app.config["COMPLETION_GRACE_DAYS"])


def results_final_at(intake: Intake) -> datetime:
    """The last moment before end_intakes makes the intake's results final: the end of the grace period's
    last day in the programme's zone (the calendar's). No work can be done or extended beyond it."""
    last_day = intake.ends_on + grace()
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=clock.programme_zone()).astimezone(timezone.utc)


def _locked(query):
    """The enrolments to move, locked for this transaction; rows another worker holds are left to it."""
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Enrolment, skip_locked=True)
    return list(db.session.scalars(query.order_by(Enrolment.id)))


def _in_state(state: EnrolmentState, *conditions):
    return select(Enrolment).join(Enrolment.intake).where(Enrolment.state == state, *conditions)


def _move(enrolment: Enrolment, state: EnrolmentState, reason: str, action: str) -> None:
    before = enrolment.state.value
    enrolment.move_to(state, by=None, reason=reason)
    record(None, action, enrolment, before={"state": before}, after={"state": state.value}, reason=reason)


def start_intakes(today: date, intake_id: int | None = None) -> Moved:
    """Approved enrolments of started intakes become active; their open requests are closed."""
    moved = Moved()
    scope = [Intake.starts_on <= today] + ([Intake.id == intake_id] if intake_id else [])
    for enrolment in _locked(_in_state(EnrolmentState.APPROVED, *scope)):
        _move(enrolment, EnrolmentState.ACTIVE, ACTIVATED, "enrolment.activated")
        moved.activated.append(enrolment.id)
    for enrolment in _locked(_in_state(EnrolmentState.REQUESTED, *scope)):
        _move(enrolment, EnrolmentState.REJECTED, REQUEST_CLOSED, "enrolment.closed")
        notify(enrolment.user, _("%(course)s (%(start)s) has started before your request could be decided, so "
                                 "the request is closed. You may ask to join a later intake.",
                                 course=enrolment.intake.course.title, start=enrolment.intake.starts_on.isoformat()),
               mail_subject=_("Your request is closed"))
        moved.closed.append(enrolment.id)
    db.session.flush()
    return moved


def end_intakes(today: date) -> Moved:
    """Active enrolments of intakes ended more than the grace period ago are completed or failed."""
    from lms.grading.completion import evaluate_completion, standings

    moved = Moved()
    last_end = today - grace() - timedelta(days=1)
    active = _locked(_in_state(EnrolmentState.ACTIVE, Intake.ends_on <= last_end))
    by_intake: dict[int, list[Enrolment]] = {}
    for enrolment in active:
        by_intake.setdefault(enrolment.intake_id, []).append(enrolment)
    for enrolments in by_intake.values():
        intake = enrolments[0].intake
        for current in standings(intake, enrolments):
            enrolment = current.enrolment
            if evaluate_completion(enrolment, by=None, current=current):
                record(None, "enrolment.completed", enrolment, before={"state": "active"},
                       after={"state": "completed", "final_grade": enrolment.final_grade},
                       reason="The intake ended with every completion condition met")
                moved.completed.append(enrolment.id)
                continue
            _move(enrolment, EnrolmentState.FAILED, FAILED, "enrolment.failed")
            enrolment.final_grade = current.weighted_grade
            notify(enrolment.user, _("%(course)s has ended and not every completion condition was met (grade "
                                     "%(grade)s%%), so it is recorded as not completed.",
                                     course=intake.course.title, grade=f"{current.weighted_grade:g}"),
                   mail_subject=_("Your course has ended"))
            moved.failed.append(enrolment.id)
    for enrolment in _locked(_in_state(EnrolmentState.WAITLISTED, Intake.ends_on < today)):
        _move(enrolment, EnrolmentState.REJECTED, WAITLIST_CLOSED, "enrolment.closed")
        notify(enrolment.user, _("%(course)s has ended before a place was freed for you, so your place on its "
                                 "waiting list is closed.", course=enrolment.intake.course.title),
               mail_subject=_("The waiting list is closed"))
        moved.closed.append(enrolment.id)
    db.session.flush()
    return moved


def move_on_the_calendar(today: date | None = None) -> Moved:
    """Both steps, for today in the programme's zone."""
    today = today or clock.today()
    started, ended = start_intakes(today), end_intakes(today)
    return Moved(activated=started.activated, closed=started.closed + ended.closed,
                 completed=ended.completed, failed=ended.failed)
