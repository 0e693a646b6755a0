"""Reads of the catalogue shared by the pages and the API."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, load_only, selectinload

from lms.catalogue.models import Area, Assessment, Course, CourseVersion, Lesson, Module, Subject
from lms.extensions import db


def list_courses(subject: Subject | None = None, area: Area | None = None) -> list[Course]:
    query = select(Course).order_by(Course.title)
    if subject:
        query = query.where(Course.subject == subject)
    if area:
        query = query.where(Course.area == area)
    return list(db.session.scalars(query))


def course_content_counts() -> dict[int, dict[str, int]]:
    """Per course: how many modules, lessons and assessments its current version has, in three queries."""
    counts: dict[int, dict[str, int]] = {}
    for model, name in ((Module, "modules"), (Lesson, "lessons"), (Assessment, "assessments")):
        rows = db.session.execute(
            select(model.course_id, func.count()).join(CourseVersion, model.version_id == CourseVersion.id)
            .join(Course, CourseVersion.course_id == Course.id).where(CourseVersion.number == Course.version)
            .group_by(model.course_id))
        for course_id, count in rows:
            counts.setdefault(course_id, {"modules": 0, "lessons": 0, "assessments": 0})[name] = count
    return counts


def get_course_outline(slug: str) -> Course | None:
    """A course with its current version's modules, lessons and assessments, in a fixed number of queries."""
    modules = selectinload(Course.current_version).selectinload(CourseVersion.modules)
    return db.session.scalar(
        select(Course).where(Course.slug == slug).options(
            modules.selectinload(Module.lessons), modules.selectinload(Module.assessments))
    )


def get_lesson(course: Course, lesson_slug: str, version: CourseVersion | None = None) -> Lesson | None:
    """A lesson of the given version of the course (by default the current one)."""
    version = version or course.current_version
    if version is None:
        return None
    return db.session.scalar(select(Lesson).where(Lesson.version_id == version.id, Lesson.slug == lesson_slug))


def versions_of(course: Course) -> list[CourseVersion]:
    """The course's versions, newest first, with who imported them."""
    return list(db.session.scalars(select(CourseVersion).where(CourseVersion.course_id == course.id)
                                   .options(selectinload(CourseVersion.imported_by))
                                   .order_by(CourseVersion.number.desc())))


def upcoming_intakes(course: Course, today: date):
    from lms.enrolment.models import Intake

    return list(db.session.scalars(
        select(Intake).where(Intake.course_id == course.id, Intake.ends_on >= today).order_by(Intake.starts_on)
    ))


def get_course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def lesson_sequence(version_id: int) -> list[Lesson]:
    """A course version's lessons in study order, with their modules, in one query (bodies are not loaded)."""
    return list(db.session.scalars(
        select(Lesson).join(Lesson.module).where(Lesson.version_id == version_id)
        .options(load_only(Lesson.id, Lesson.slug, Lesson.title, Lesson.position, Lesson.module_id),
                 contains_eager(Lesson.module))
        .order_by(Module.position, Lesson.position)
    ))


def adjacent_lessons(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after this one in study order (None at either end)."""
    lessons = lesson_sequence(lesson.version_id)
    index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
    return (lessons[index - 1] if index else None), (lessons[index + 1] if index + 1 < len(lessons) else None)
