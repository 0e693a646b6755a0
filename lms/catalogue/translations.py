"""Course content in the trainee's language: the translations a course folder holds beside its English files.

Written at import from the validated specs (lms/catalogue/course_files.py checks that a translated quiz
keeps the English questions, options and answer keys); read by the pages, which fall back to English.

A translation is rewritten by every import and serves every version of the course, so the words of a quiz
or rubric are kept as pairs of English text and its translation, grouped by question id and criterion
title (the identities a new version keeps): a version whose English differs shows that piece in English,
never the words of another question. Accepted short answers are part of the answer key instead, in each
version's questions (lms/catalogue/plans.py), because grading depends on them.
"""
from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.catalogue.course_files import AssessmentSpec, CourseSpec
from lms.core.read_once import read_once
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
    # An assessment's words as {"texts": {english: translated}, "questions": {question id: {english: translated}},
    # "rubric": {criterion title: {english: translated}}}; None in rows imported before they were kept.
    parts: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

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
        for assessment in module.assessments:
            english_brief = render_markdown(assessment.brief_markdown) if assessment.brief_markdown else ""
            for language, translated in assessment.translations.items():
                brief = render_markdown(translated.brief_markdown) if translated.brief_markdown else None
                rows.append(ContentTranslation(
                    course_id=course.id, kind="assessment", slug=assessment.slug, language=language,
                    title=translated.title, body_html=brief,
                    parts=assessment_parts(assessment, translated, english_brief, brief)))
    db.session.add_all(rows)


def _pairs(*pairs: tuple[str, str]) -> dict[str, str]:
    return {english: translated for english, translated in pairs if english and translated}


def assessment_parts(english: AssessmentSpec, translated: AssessmentSpec, english_brief: str,
                     translated_brief: str | None) -> dict[str, Any]:
    """The translation's words beside the English they translate (the import checked that both files have
    the same questions in the same order, the same options and the same rubric)."""
    questions = {}
    for question, words in zip(english.questions, translated.questions):
        options = zip(question.spec.get("options", ()), words.spec.get("options", ()))
        questions[question.key] = _pairs((question.prompt, words.prompt), (question.feedback, words.feedback),
                                         *((option["text"], word["text"]) for option, word in options))
    rubric: dict[str, dict[str, str]] = {}
    for criterion, words in zip(english.rubric, translated.rubric):
        levels = zip(criterion.levels, words.levels)
        rubric.setdefault(criterion.title, {}).update(_pairs(
            (criterion.title, words.title), (criterion.description, words.description),
            *(pair for (label, _points, text), (label_word, _same, text_word) in levels
              for pair in ((label, label_word), (text, text_word)))))
    return {"texts": _pairs((english.title, translated.title), (english_brief, translated_brief or "")),
            "questions": questions, "rubric": rubric}


def translation_of(course_id: int, kind: str, slug: str, language: str) -> ContentTranslation | None:
    """The translation of one piece of content. A page names many courses and assessments: what a session
    reads is kept until its next flush, commit or rollback; every course's translations into a language
    are read at once, a course's assessments' at once, a lesson's (its whole body) alone."""
    by_course = kind != "course"
    by_slug = kind == "lesson"
    key = ("translations", kind, language, by_course and course_id, by_slug and slug)

    def load():  # only when the session has not read it yet: a page asks dozens of times
        query = select(ContentTranslation).where(ContentTranslation.kind == kind, ContentTranslation.language == language)
        if by_course:
            query = query.where(ContentTranslation.course_id == course_id)
        if by_slug:
            query = query.where(ContentTranslation.slug == slug)
        return {(row.course_id, row.slug): row for row in db.session.scalars(query)}

    return read_once(key, load).get((course_id, slug))


def reading_language(assessment, user):
    """The language other than English in which `user` reads `assessment`, if it is translated into hers."""
    from lms.core.i18n import LANGUAGES

    language = LANGUAGES.get(user.language or "en")
    if language is None or language.code == "en":
        return None
    return language if translation_of(assessment.course_id, "assessment", assessment.slug, language.code) else None


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


@dataclass(frozen=True)
class Words:
    """The words of one question or rubric criterion in the reader's language: each English piece that
    has a translation made from that very English, the English itself otherwise."""

    translated: dict[str, str] = field(default_factory=dict)
    tag: str = "en"

    def __call__(self, english: str) -> str:
        return self.translated.get(english, english)

    def lang(self, english: str) -> str:
        """The BCP 47 tag of what __call__ shows for `english`."""
        return self.tag if english in self.translated else "en"


@dataclass(frozen=True)
class ShownAssessment:
    """A quiz or assignment as the reader gets it: her language's words, or English with a note."""

    title: str
    brief_html: str
    lang: str  # the BCP 47 tag of the title shown
    brief_lang: str  # and of the brief
    is_fallback: bool  # no translation in the reader's language: everything in English
    is_partial: bool  # translated, but some pieces (changed since, in this version) are in English
    questions: dict[str, dict[str, str]] = field(default_factory=dict)
    rubric: dict[str, dict[str, str]] = field(default_factory=dict)
    tag: str = "en"

    def question(self, question) -> Words:
        return Words(self.questions.get(question.key, {}), self.tag)

    def criterion(self, criterion) -> Words:
        return Words(self.rubric.get(criterion.title, {}), self.tag)


def _english_pieces(assessment) -> list[tuple[str, str, str]]:
    """(group, key, English text) of every piece of a quiz's questions and an assignment's rubric."""
    pieces = []
    for question in assessment.questions:
        texts = [question.prompt, question.feedback, *(option["text"] for option in question.spec.get("options", ()))]
        pieces += [("questions", question.key, text) for text in texts if text]
    for criterion in assessment.rubric:
        texts = [criterion.title, criterion.description,
                 *(text for level in criterion.levels for text in (level.label, level.description))]
        pieces += [("rubric", criterion.title, text) for text in texts if text]
    return pieces


def shown_assessment(assessment) -> ShownAssessment:
    from lms.core.i18n import current_language

    language = current_language()
    if language.code == "en":
        return ShownAssessment(assessment.title, assessment.brief_html, "en", "en", is_fallback=False, is_partial=False)
    row = translation_of(assessment.course_id, "assessment", assessment.slug, language.code)
    if row is None:
        return ShownAssessment(assessment.title, assessment.brief_html, "en", "en", is_fallback=True, is_partial=False)
    if row.parts is None:  # imported before the words of questions and rubrics were kept
        return ShownAssessment(row.title, row.body_html or assessment.brief_html, language.tag,
                               brief_lang=language.tag if row.body_html else "en", is_fallback=False,
                               is_partial=bool(_english_pieces(assessment)))
    texts, questions, rubric = row.parts.get("texts", {}), row.parts.get("questions", {}), row.parts.get("rubric", {})
    groups = {"questions": questions, "rubric": rubric}
    missing = [text for group, key, text in _english_pieces(assessment) if text not in groups[group].get(key, {})]
    brief = assessment.brief_html
    is_brief_translated = not brief or brief in texts
    return ShownAssessment(
        texts.get(assessment.title, assessment.title), texts.get(brief, brief) if brief else "",
        language.tag if assessment.title in texts else "en",
        brief_lang=language.tag if brief and is_brief_translated else "en",
        is_fallback=False, is_partial=bool(missing) or assessment.title not in texts or not is_brief_translated,
        questions=questions, rubric=rubric, tag=language.tag)
