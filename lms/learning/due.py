"""What a trainee has to do next, across her intakes: the work due (her own deadline, extensions counted),
her next face-to-face session and her attendance so far. Read by her home page in a fixed number of queries."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import load_only

from lms.assessments.deadlines import extensions_by_work, terms_for
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import Assessment, AssessmentKind, Module
from lms.core import clock
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.enrolment.progress import assessment_state
from lms.extensions import db
from lms.grading.models import Attendance, IntakeSession


@dataclass
class DueWork:
    enrolment: Enrolment
    assessment: Assessment
    due_at: datetime
    is_done: bool  # a quiz attempt submitted; an assignment submitted or graded
    state: str  # what she reads: "not started", "1 of 2 attempts used", "draft, not submitted"...


@dataclass
class SessionMark:
    enrolment: Enrolment
    session: IntakeSession
    present: bool | None  # None: not recorded yet, or still to come

    @property
    def starts_at(self) -> datetime | None:
        """The start as a moment (UTC), from the venue's wall clock; None when no time was set."""
        if self.session.starts_at is None:
            return None
        return datetime.combine(self.session.held_on, self.session.starts_at, self.enrolment.intake.zone)


@dataclass
class TraineeWeek:
    due: list[DueWork] = field(default_factory=list)  # what is still to do by deadline, then what is done
    next_sessions: list[SessionMark] = field(default_factory=list)  # the next one of each intake
    attendance: list[SessionMark] = field(default_factory=list)  # sessions held so far, newest first

    @property
    def to_do(self) -> list[DueWork]:
        return [work for work in self.due if not work.is_done]


def _is_done(assessment: Assessment, attempts: list[Attempt], submission: Submission | None) -> bool:
    if assessment.kind is AssessmentKind.QUIZ:
        return any(attempt.submitted_at for attempt in attempts)
    return submission is not None and submission.state in (SubmissionState.SUBMITTED, SubmissionState.RETURNED)


def trainee_week(enrolments: list[Enrolment], now: datetime | None = None) -> TraineeWeek:
    """Her running intakes' work, and the sessions of the intakes she holds a place in."""
    now = now or clock.now()
    running = [enrolment for enrolment in enrolments if enrolment.state is EnrolmentState.ACTIVE]
    placed = [enrolment for enrolment in enrolments
              if enrolment.state in (EnrolmentState.APPROVED, EnrolmentState.ACTIVE)]
    week = TraineeWeek()
    if running:
        week.due = _due_work(running)
    if placed:
        week.next_sessions, week.attendance = _sessions(placed, now)
    return week


def _due_work(running: list[Enrolment]) -> list[DueWork]:
    ids = [enrolment.id for enrolment in running]
    by_version: dict[int, list[Assessment]] = {}
    for assessment in db.session.scalars(
            select(Assessment).join(Assessment.module)
            .where(Assessment.version_id.in_({enrolment.intake.course_version_id for enrolment in running}))
            .order_by(Module.position, Assessment.position)):
        by_version.setdefault(assessment.version_id, []).append(assessment)
    attempts: dict[tuple[int, int], list[Attempt]] = {}
    # Only what the list says of each (not the answers, results or text).
    for attempt in db.session.scalars(
            select(Attempt).where(Attempt.enrolment_id.in_(ids)).order_by(Attempt.number)
            .options(load_only(Attempt.id, Attempt.enrolment_id, Attempt.assessment_id, Attempt.number,
                               Attempt.submitted_at))):
        attempts.setdefault((attempt.enrolment_id, attempt.assessment_id), []).append(attempt)
    submissions = {(submission.enrolment_id, submission.assessment_id): submission for submission in
                   db.session.scalars(select(Submission).where(Submission.enrolment_id.in_(ids)).options(
                       load_only(Submission.id, Submission.enrolment_id, Submission.assessment_id, Submission.state)))}
    extensions = extensions_by_work(ids)
    due = []
    for enrolment in running:
        for assessment in by_version.get(enrolment.intake.course_version_id, []):
            work = (enrolment.id, assessment.id)
            terms = terms_for(enrolment, assessment, extensions.get(work))
            done = _is_done(assessment, attempts.get(work, []), submissions.get(work))
            due.append(DueWork(enrolment, assessment, terms.due_at, done, assessment_state(
                assessment, attempts.get(work, []), submissions.get(work), terms.attempts_allowed)))
    return sorted(due, key=lambda work: (work.is_done, work.due_at))


def _sessions(placed: list[Enrolment], now: datetime) -> tuple[list[SessionMark], list[SessionMark]]:
    by_intake = {enrolment.intake_id: enrolment for enrolment in placed}
    next_sessions: dict[int, SessionMark] = {}
    held = []
    # Each session with her mark, if one was recorded (she holds one place per intake).
    for session, present in db.session.execute(
            select(IntakeSession, Attendance.is_present)
            .outerjoin(Attendance, and_(Attendance.session_id == IntakeSession.id,
                                        Attendance.enrolment_id.in_([enrolment.id for enrolment in placed])))
            .where(IntakeSession.intake_id.in_(by_intake))
            .order_by(IntakeSession.held_on, IntakeSession.starts_at, IntakeSession.id)):
        enrolment = by_intake[session.intake_id]
        mark = SessionMark(enrolment, session, present)
        if session.held_on >= now.astimezone(enrolment.intake.zone).date() and present is None:
            next_sessions.setdefault(session.intake_id, mark)
        else:
            held.append(mark)
    return sorted(next_sessions.values(), key=lambda mark: mark.session.held_on), held[::-1]
