"""Progress writes: a lesson viewed, a lesson done."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.catalogue.models import Lesson
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment
from lms.extensions import db
from lms.learning.models import LessonProgress


def _find(enrolment: Enrolment, lesson: Lesson) -> LessonProgress | None:
    return db.session.scalar(select(LessonProgress).where(
        LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id))


def _progress(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """Her row for this lesson, started now if there is none. Two tabs opening the lesson for the first
    time at the same moment share one row: the second waits for the first's, then finds it."""
    progress = _find(enrolment, lesson)
    if progress is not None:
        return progress
    try:
        with db.session.begin_nested():
            progress = LessonProgress(enrolment=enrolment, lesson=lesson)
            db.session.add(progress)
    except IntegrityError:  # the savepoint's rollback has dropped our row again
        return _find(enrolment, lesson)
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
