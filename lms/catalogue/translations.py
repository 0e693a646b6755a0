"""Course content in the trainee's language: the translations a course folder holds beside its English files.

Written at import from the validated specs (lms/catalogue/course_files.py checks that a translated quiz
keeps the English questions, options and answer keys); read by the pages, which fall back to English.
"""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.catalogue.course_files import CourseSpec
from lms.core.markdown import render_markdown
from lms.extensions import db


class ContentTranslation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # course, lesson or assessment
    slug: Mapped[str] = mapped_column(String(80))  # the lesson's or assessment's; the course's own for "course"
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[Optional[str]] = mapped_column(Text)  # a course's
    body_html: Mapped[Optional[str]] = mapped_column(Text)  # a lesson's text, an assignment's brief

    __table_args__ = (UniqueConstraint("course_id", "kind", "slug", "language"),)

    def __repr__(self) -> str:
        return f"<ContentTranslation {self.kind} {self.slug} {self.language}>"


def write_translations(course, spec: CourseSpec) -> None:
    """The course's translations as its files now hold them (no trainee's work hangs on these rows)."""
    db.session.execute(delete(ContentTranslation).where(ContentTranslation.course_id == course.id))
    rows = [ContentTranslation(course_id=course.id, kind="course", slug=spec.slug, language=language,
                               title=text["title"], summary=text["summary"])
            for language, text in spec.translations.items()]
    for module in spec.modules:
        rows += [ContentTranslation(course_id=course.id, kind="lesson", slug=lesson.slug, language=language,
                                    title=translated.title, body_html=render_markdown(translated.body_markdown))
                 for lesson in module.lessons for language, translated in lesson.translations.items()]
        rows += [ContentTranslation(course_id=course.id, kind="assessment", slug=assessment.slug, language=language,
                                    title=translated.title,
                                    body_html=render_markdown(translated.brief_markdown) if translated.brief_markdown
                                    else None)
                 for assessment in module.assessments for language, translated in assessment.translations.items()]
    db.session.add_all(rows)


def translation_of(course_id: int, kind: str, slug: str, language: str) -> ContentTranslation | None:
    return db.session.scalar(select(ContentTranslation).where(
        ContentTranslation.course_id == course_id, ContentTranslation.kind == kind,
        ContentTranslation.slug == slug, ContentTranslation.language == language))


def course_translations(language: str) -> dict[int, ContentTranslation]:
    """Each course's title and summary in `language`, by course id, for the catalogue's lists."""
    return {row.course_id: row for row in db.session.scalars(select(ContentTranslation).where(
        ContentTranslation.kind == "course", ContentTranslation.language == language))}


@dataclass(frozen=True)
class Shown:
    """A piece of course content as the reader gets it: her language's text, or English with a note."""

    title: str
    body_html: str | None
    summary: str | None
    lang: str  # the BCP 47 tag of the text shown
    is_fallback: bool  # English shown because no translation exists in the reader's language


def _shown(course_id: int, kind: str, slug: str, title: str, body_html=None, summary=None) -> Shown:
    from lms.core.i18n import current_language

    language = current_language()
    if language.code == "en":
        return Shown(title, body_html, summary, "en", False)
    row = translation_of(course_id, kind, slug, language.code)
    if row is None:
        return Shown(title, body_html, summary, "en", True)
    return Shown(row.title, row.body_html or body_html, row.summary or summary, language.tag, False)


def shown_lesson(lesson) -> Shown:
    return _shown(lesson.course_id, "lesson", lesson.slug, lesson.title, body_html=lesson.body_html)


def shown_course(course) -> Shown:
    return _shown(course.id, "course", course.slug, course.title, summary=course.summary)
