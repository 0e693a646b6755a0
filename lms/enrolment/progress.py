"""Following one trainee's enrolment, as a coordinator does: lessons, assessments, attendance, standing,
and the warning signs worth a call before the intake ends (lms/enrolment/at_risk.py)."""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.assessments.deadlines import extensions_by_work, terms_for
from lms.assessments.models import Attempt, Submission
from lms.catalogue.models import Assessment, AssessmentKind, Lesson, Module
from lms.core import clock
from lms.enrolment import at_risk
from lms.enrolment.models import Enrolment
from lms.enrolment.queries import waiting_in_order
from lms.extensions import db
from lms.grading.completion import Standing, standing
from lms.grading.models import Attendance, IntakeSession
from lms.learning.models import LessonProgress


@dataclass
class LessonLine:
    lesson: Lesson
    completed_at: datetime | None


@dataclass
class AssessmentLine:
    assessment: Assessment
    score: float | None
    state: str  # what a person reads: "not started", "2 of 3 attempts", "submitted, waiting for a grade"...


@dataclass
class SessionLine:
    session: IntakeSession
    present: bool | None  # None: not recorded


@dataclass
class Progress:
    enrolment: Enrolment
    standing: Standing
    lessons: list[LessonLine]
    assessments: list[AssessmentLine]
    sessions: list[SessionLine]
    last_active_at: datetime | None
    risks: list[at_risk.Risk] = field(default_factory=list)  # while the intake runs; a finished one has a result


def assessment_state(assessment: Assessment, attempts: list[Attempt], submission: Submission | None,
                      attempts_allowed: int) -> str:
    if assessment.kind is AssessmentKind.QUIZ:
        submitted = [attempt for attempt in attempts if attempt.submitted_at]
        if not attempts:
            return _("not started")
        if len(submitted) < len(attempts):
            return _("attempt in progress")
        if not attempts_allowed:
            return _("%(used)d attempts used (no limit)", used=len(submitted))
        return _("%(used)d of %(allowed)d attempts used", used=len(submitted), allowed=attempts_allowed)
    if submission is None:
        return _("not started")
    return {"draft": _("draft, not submitted"), "submitted": _("submitted, waiting for a grade"),
            "returned": _("graded and returned")}.get(submission.state.value, submission.state.value)


def trainee_progress(enrolment: Enrolment, now: datetime | None = None) -> Progress:
    intake = enrolment.intake
    now = now or clock.now()
    current = standing(enrolment)
    done = dict(db.session.execute(
        select(LessonProgress.lesson_id, LessonProgress.completed_at)
        .where(LessonProgress.enrolment_id == enrolment.id)).all())
    lessons = [LessonLine(lesson, done.get(lesson.id)) for lesson in db.session.scalars(
        select(Lesson).join(Lesson.module).where(Lesson.version_id == intake.course_version_id,
                                                 Lesson.is_required.is_(True))
        .order_by(Module.position, Lesson.position))]
    assessments = list(db.session.scalars(
        select(Assessment).join(Assessment.module).where(Assessment.version_id == intake.course_version_id)
        .order_by(Module.position, Assessment.position)))
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.enrolment_id == enrolment.id)
                                      .order_by(Attempt.number)):
        attempts.setdefault(attempt.assessment_id, []).append(attempt)
    submissions = {submission.assessment_id: submission for submission in db.session.scalars(
        select(Submission).where(Submission.enrolment_id == enrolment.id))}
    extensions = extensions_by_work([enrolment.id])
    lines = [AssessmentLine(assessment, current.scores.get(assessment.id),
                            assessment_state(assessment, attempts.get(assessment.id, []), submissions.get(assessment.id),
                                              terms_for(enrolment, assessment,
                                                        extensions.get((enrolment.id, assessment.id))).attempts_allowed))
             for assessment in assessments]
    sessions = []
    if intake.takes_attendance:
        marks = dict(db.session.execute(select(Attendance.session_id, Attendance.is_present)
                                        .where(Attendance.enrolment_id == enrolment.id)).all())
        sessions = [SessionLine(session, marks.get(session.id)) for session in db.session.scalars(
            select(IntakeSession).where(IntakeSession.intake_id == intake.id)
            .order_by(IntakeSession.held_on, IntakeSession.id))]
    last_active = db.session.scalar(select(func.max(LessonProgress.last_viewed_at))
                                    .where(LessonProgress.enrolment_id == enrolment.id))
    progress = Progress(enrolment, current, lessons, lines, sessions, last_active)
    progress.risks = at_risk.risks_of([enrolment], now).get(enrolment.id, [])
    return progress


def waiting_list(intake, country_id: int | None = None) -> list[tuple[int, Enrolment]]:
    """The intake's waiting list in the order places are given, with each person's position in the whole
    list; narrowed to one country's people if asked."""
    return [(position, enrolment) for position, enrolment in enumerate(waiting_in_order(intake), start=1)
            if country_id is None or enrolment.user.country_id == country_id]
