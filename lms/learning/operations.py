"""Progress writes: a lesson viewed, a lesson done."""
from sqlalchemy import select

from lms.catalogue.models import Lesson
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment
from lms.extensions import db
from lms.learning.models import LessonProgress


def _progress(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    progress = db.session.scalar(select(LessonProgress).where(
        LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id))
    if progress is None:
        progress = LessonProgress(enrolment=enrolment, lesson=lesson)
        db.session.add(progress)
    return progress


def record_view(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    progress = _progress(enrolment, lesson)
    progress.last_viewed_at = utcnow()
    db.session.flush()
    return progress


def mark_done(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    progress = _progress(enrolment, lesson)
    progress.last_viewed_at = utcnow()
    if progress.completed_at is None:
        progress.completed_at = utcnow()
    db.session.flush()
    return progress
