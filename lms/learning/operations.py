"""Progress writes: a lesson viewed, a lesson done."""
from sqlalchemy import select, update

from lms.catalogue.models import Lesson
from lms.core.db import find_or_add, utcnow
from lms.enrolment.models import Enrolment
from lms.extensions import db
from lms.learning.models import LessonProgress


def _find(enrolment: Enrolment, lesson: Lesson) -> LessonProgress | None:
    return db.session.scalar(select(LessonProgress).where(
        LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id))


def _progress(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """Her row for this lesson, started now if there is none. Two tabs opening the lesson for the first
    time at the same moment share one row: the second waits for the first's, then finds it."""
    return find_or_add(db.session, lambda: _find(enrolment, lesson),
                       lambda: LessonProgress(enrolment=enrolment, lesson=lesson))


def record_view(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """Her last view of the lesson, which her intake page resumes from: one statement when she has opened
    it before (every view after the first), her row started otherwise."""
    progress = db.session.scalar(
        update(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id)
        .values(last_viewed_at=utcnow()).returning(LessonProgress))
    if progress is None:
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
