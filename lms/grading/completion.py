"""Where each trainee of an intake stands, and completion when every condition is met.

A course is complete when every required lesson is done, the weighted grade reaches the course's
pass mark and, for intakes that take attendance, attendance reaches the intake's threshold.
Assessments without a score count as zero in the weighted grade.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.assessments.scoring import assessment_scores
from lms.catalogue.models import Assessment, Lesson
from lms.certificates.operations import issue_on_completion
from lms.core.db import utcnow
from lms.core.grades import exact, kept, shown
from lms.core.i18n import speaking_to
from lms.enrolment.models import Enrolment, EnrolmentState, Intake
from lms.extensions import db
from lms.grading.models import Attendance, IntakeSession
from lms.learning.models import LessonProgress
from lms.notifications.operations import notify


@dataclass
class Standing:
    enrolment: Enrolment
    scores: dict[int, Decimal | None] = field(default_factory=dict)  # by assessment id
    weighted_grade: Decimal = Decimal(0)  # exact; compared with the pass mark unrounded
    lessons_done: int = 0
    lessons_required: int = 0
    sessions_held: int = 0
    sessions_attended: int = 0
    pass_mark: int = 0
    attendance_threshold: int | None = None  # None: this intake takes no attendance

    @property
    def attendance_rate(self) -> float | None:
        if self.attendance_threshold is None:
            return None
        return round(100 * self.sessions_attended / self.sessions_held, 1) if self.sessions_held else 0.0

    @property
    def lessons_complete(self) -> bool:
        return self.lessons_done >= self.lessons_required

    @property
    def grade_passes(self) -> bool:
        return self.weighted_grade >= self.pass_mark

    @property
    def attendance_met(self) -> bool:
        return self.attendance_threshold is None or (self.attendance_rate or 0) >= self.attendance_threshold

    @property
    def result(self) -> str:
        """pass, fail (a finished enrolment below the pass mark) or so_far (still running, below it)."""
        if self.grade_passes:
            return "pass"
        return "fail" if self.enrolment.state in (EnrolmentState.COMPLETED, EnrolmentState.FAILED) else "so_far"

    @property
    def meets_completion(self) -> bool:
        return self.lessons_complete and self.grade_passes and self.attendance_met


def weighted_grade(assessments: list[Assessment], scores: dict[int, Decimal | None]) -> Decimal:
    total_weight = sum((exact(assessment.weight) for assessment in assessments), Decimal(0))
    if not total_weight:
        return Decimal(0)
    earned = sum((exact(assessment.weight) * exact(scores.get(assessment.id) or 0) for assessment in assessments),
                 Decimal(0))
    return earned / total_weight


def standings(intake: Intake, enrolments: list[Enrolment],
              assessments: list[Assessment] | None = None) -> list[Standing]:
    """Standings of several enrolments of one intake, in a fixed number of queries.

    Pass the course's assessments when they are loaded already (the gradebook shows them as columns)."""
    ids = [enrolment.id for enrolment in enrolments]
    if assessments is None:
        assessments = list(db.session.scalars(
            select(Assessment).where(Assessment.version_id == intake.course_version_id)
            .order_by(Assessment.module_id, Assessment.position)))
    scores = assessment_scores(ids)
    required = db.session.scalar(select(func.count()).select_from(Lesson).where(
        Lesson.version_id == intake.course_version_id, Lesson.is_required.is_(True)))
    done = dict(db.session.execute(
        select(LessonProgress.enrolment_id, func.count())
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.enrolment_id.in_(ids), LessonProgress.completed_at.is_not(None),
               Lesson.version_id == intake.course_version_id, Lesson.is_required.is_(True))
        .group_by(LessonProgress.enrolment_id)).all()) if ids else {}
    takes_attendance = intake.takes_attendance
    held = 0
    attended_by: dict[int, int] = {}
    if takes_attendance:
        held = db.session.scalar(select(func.count()).select_from(IntakeSession).where(
            IntakeSession.intake_id == intake.id))
        attended_by = dict(db.session.execute(
            select(Attendance.enrolment_id, func.count()).where(
                Attendance.enrolment_id.in_(ids), Attendance.is_present.is_(True))
            .group_by(Attendance.enrolment_id)).all()) if ids else {}
    result = []
    for enrolment in enrolments:
        own = {assessment.id: scores.get((enrolment.id, assessment.id)) for assessment in assessments}
        result.append(Standing(
            enrolment=enrolment, scores=own, weighted_grade=weighted_grade(assessments, own),
            lessons_done=done.get(enrolment.id, 0), lessons_required=required,
            sessions_held=held, sessions_attended=attended_by.get(enrolment.id, 0),
            pass_mark=intake.version.pass_mark,
            attendance_threshold=intake.attendance_threshold if takes_attendance else None,
        ))
    return result


def standing(enrolment: Enrolment) -> Standing:
    return standings(enrolment.intake, [enrolment])[0]


def evaluate_completion(enrolment: Enrolment, by: User | None = None, current: Standing | None = None) -> bool:
    """Complete an active enrolment that now meets every condition; True if it was completed.

    Pass `current` when the standing is already known (several trainees evaluated at once).
    """
    if enrolment.state is not EnrolmentState.ACTIVE:
        return False
    current = current or standing(enrolment)
    if not current.meets_completion:
        return False
    enrolment.move_to(EnrolmentState.COMPLETED, by=by, reason="Every completion condition met", at=utcnow())
    enrolment.final_grade = kept(current.weighted_grade)
    with speaking_to(enrolment.user):
        notify(enrolment.user,
               _("Congratulations: you have completed %(course)s with a grade of %(grade)s%%.",
                 course=enrolment.intake.course.title, grade=shown(current.weighted_grade)),
               mail_subject=_("Course completed"))
    issue_on_completion(enrolment)
    return True
