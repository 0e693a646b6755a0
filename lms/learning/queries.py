"""Reads for the study pages: the course outline with this enrolment's progress and work."""
from dataclasses import dataclass

from sqlalchemy import select

from lms.assessments.models import Attempt, Submission
from lms.catalogue.models import Lesson
from lms.enrolment.models import Enrolment
from lms.extensions import db
from lms.learning.models import LessonProgress


@dataclass
class StudyOutline:
    progress: dict[int, LessonProgress]  # by lesson id
    attempts: dict[int, list[Attempt]]  # by assessment id
    submissions: dict[int, Submission]  # by assessment id
    resume: Lesson | None

    def is_done(self, lesson: Lesson) -> bool:
        progress = self.progress.get(lesson.id)
        return progress is not None and progress.is_done


def study_outline(enrolment: Enrolment) -> StudyOutline:
    progress = {p.lesson_id: p for p in db.session.scalars(
        select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id))}
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.enrolment_id == enrolment.id)
                                      .order_by(Attempt.number)):
        attempts.setdefault(attempt.assessment_id, []).append(attempt)
    submissions = {s.assessment_id: s for s in db.session.scalars(
        select(Submission).where(Submission.enrolment_id == enrolment.id))}
    return StudyOutline(progress, attempts, submissions, _resume_lesson(enrolment, progress))


def _resume_lesson(enrolment: Enrolment, progress: dict[int, LessonProgress]) -> Lesson | None:
    """The lesson last opened if it is not done yet, else the first lesson not done."""
    lessons = enrolment.intake.version.lessons
    open_lessons = [lesson for lesson in lessons if not (progress.get(lesson.id) and progress[lesson.id].is_done)]
    viewed = [progress[lesson.id] for lesson in open_lessons if lesson.id in progress]
    if viewed:
        return max(viewed, key=lambda p: p.last_viewed_at).lesson
    return open_lessons[0] if open_lessons else None


def own_assessment(user, course_slug: str, assessment_slug: str):
    """(enrolment, assessment): the assessment of that slug in the newest intake of the course `user` studies
    in, or None (an offline pack's link names the course and the assessment, not the trainee's intake)."""
    from lms.catalogue.models import Assessment, Course
    from lms.enrolment.models import Intake

    enrolments = db.session.scalars(select(Enrolment).join(Intake).join(Course, Course.id == Intake.course_id)
                                    .where(Enrolment.user_id == user.id, Course.slug == course_slug)
                                    .order_by(Intake.starts_on.desc(), Enrolment.id.desc()))
    for enrolment in enrolments:
        if not enrolment.can_study:
            continue
        assessment = db.session.scalar(select(Assessment).where(
            Assessment.version_id == enrolment.intake.course_version_id, Assessment.slug == assessment_slug))
        if assessment is not None:
            return enrolment, assessment
    return None
