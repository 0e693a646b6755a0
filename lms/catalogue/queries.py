"""Reads of the catalogue shared by the pages and the API."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, load_only, selectinload

from lms.catalogue.models import Area, Assessment, Course, Lesson, Module, Subject
from lms.extensions import db


def list_courses(subject: Subject | None = None, area: Area | None = None) -> list[Course]:
    query = select(Course).order_by(Course.title)
    if subject:
        query = query.where(Course.subject == subject)
    if area:
        query = query.where(Course.area == area)
    return list(db.session.scalars(query))


def course_content_counts() -> dict[int, dict[str, int]]:
    """Per course: how many modules, lessons and assessments, in three grouped queries."""
    counts: dict[int, dict[str, int]] = {}
    for model, name in ((Module, "modules"), (Lesson, "lessons"), (Assessment, "assessments")):
        rows = db.session.execute(select(model.course_id, func.count()).group_by(model.course_id))
        for course_id, count in rows:
            counts.setdefault(course_id, {"modules": 0, "lessons": 0, "assessments": 0})[name] = count
    return counts


def get_course_outline(slug: str) -> Course | None:
    """A course with its modules, lessons and assessments loaded in a fixed number of queries."""
    return db.session.scalar(
        select(Course).where(Course.slug == slug).options(
            selectinload(Course.modules).selectinload(Module.lessons),
            selectinload(Course.modules).selectinload(Module.assessments),
        )
    )


def get_lesson(course: Course, lesson_slug: str) -> Lesson | None:
    return db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == lesson_slug))


def upcoming_intakes(course: Course, today: date):
    from lms.enrolment.models import Intake

    return list(db.session.scalars(
        select(Intake).where(Intake.course_id == course.id, Intake.ends_on >= today).order_by(Intake.starts_on)
    ))


def get_course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def lesson_sequence(course_id: int) -> list[Lesson]:
    """The course's lessons in study order, with their modules, in one query (bodies are not loaded)."""
    return list(db.session.scalars(
        select(Lesson).join(Lesson.module).where(Lesson.course_id == course_id)
        .options(load_only(Lesson.id, Lesson.slug, Lesson.title, Lesson.position, Lesson.module_id),
                 contains_eager(Lesson.module))
        .order_by(Module.position, Lesson.position)
    ))


def adjacent_lessons(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after this one in study order (None at either end)."""
    lessons = lesson_sequence(lesson.course_id)
    index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
    return (lessons[index - 1] if index else None), (lessons[index + 1] if index + 1 < len(lessons) else None)
