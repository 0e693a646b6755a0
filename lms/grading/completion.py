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
from lms.catalogue.models import Assessment, CourseVersion, Lesson
from lms.core.db import utcnow
from lms.core.events import enrolment_completed
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
    if assessments is None:
        assessments = list(db.session.scalars(
            select(Assessment).where(Assessment.version_id == intake.course_version_id)
            .order_by(Assessment.module_id, Assessment.position)))
    return standings_across(enrolments, {intake.course_version_id: assessments})


def standings_across(enrolments: list[Enrolment],
                     assessments_by_version: dict[int, list[Assessment]] | None = None) -> list[Standing]:
    """Standings of enrolments of any number of intakes (a coordinator's list), in a fixed number of queries."""
    ids = [enrolment.id for enrolment in enrolments]
    if not ids:
        return []
    intakes = {enrolment.intake.id: enrolment.intake for enrolment in enrolments}
    version_ids = {intake.course_version_id for intake in intakes.values()}
    if assessments_by_version is None:
        assessments_by_version = {version_id: [] for version_id in version_ids}
        for assessment in db.session.scalars(
                select(Assessment).where(Assessment.version_id.in_(version_ids))
                .order_by(Assessment.module_id, Assessment.position)):
            assessments_by_version[assessment.version_id].append(assessment)
    required_lessons = (select(func.count()).where(Lesson.version_id == CourseVersion.id, Lesson.is_required.is_(True))
                        .correlate(CourseVersion).scalar_subquery())
    pass_marks, required = {}, {}
    for version_id, pass_mark, lessons in db.session.execute(
            select(CourseVersion.id, CourseVersion.pass_mark, required_lessons).where(CourseVersion.id.in_(version_ids))):
        pass_marks[version_id], required[version_id] = pass_mark, lessons
    scores = assessment_scores(ids)
    done = dict(db.session.execute(
        select(LessonProgress.enrolment_id, func.count())
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .join(Enrolment, LessonProgress.enrolment_id == Enrolment.id)
        .join(Intake, Enrolment.intake_id == Intake.id)
        .where(LessonProgress.enrolment_id.in_(ids), LessonProgress.completed_at.is_not(None),
               Lesson.version_id == Intake.course_version_id, Lesson.is_required.is_(True))
        .group_by(LessonProgress.enrolment_id)).all())
    taking = [intake.id for intake in intakes.values() if intake.takes_attendance]
    held: dict[int, int] = {}
    attended_by: dict[int, int] = {}
    if taking:
        held = dict(db.session.execute(
            select(IntakeSession.intake_id, func.count()).where(IntakeSession.intake_id.in_(taking))
            .group_by(IntakeSession.intake_id)).all())
        attended_by = dict(db.session.execute(
            select(Attendance.enrolment_id, func.count()).where(
                Attendance.enrolment_id.in_(ids), Attendance.is_present.is_(True))
            .group_by(Attendance.enrolment_id)).all())
    result = []
    for enrolment in enrolments:
        intake = intakes[enrolment.intake_id]
        assessments = assessments_by_version[intake.course_version_id]
        own = {assessment.id: scores.get((enrolment.id, assessment.id)) for assessment in assessments}
        result.append(Standing(
            enrolment=enrolment, scores=own, weighted_grade=weighted_grade(assessments, own),
            lessons_done=done.get(enrolment.id, 0), lessons_required=required.get(intake.course_version_id, 0),
            sessions_held=held.get(intake.id, 0), sessions_attended=attended_by.get(enrolment.id, 0),
            pass_mark=pass_marks[intake.course_version_id],
            attendance_threshold=intake.attendance_threshold if intake.takes_attendance else None,
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
    enrolment_completed.send(enrolment, by=by)
    return True
