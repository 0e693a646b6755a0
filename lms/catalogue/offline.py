"""Offline packs: a course version's lessons in one language, as a ZIP of static pages and as a printable PDF.

The ZIP opens from the file system with no server and no script: one folder with an index, a page per
lesson, our stylesheet and the images the lessons use, linked only by relative paths. Quizzes and
assignments stay online, so the index names them with their absolute online address. The PDF holds the
same lessons and the assignments' briefs, through the one PDF path. Content is chosen as the pages
choose it (lms/catalogue/translations.py), with the pack's language forced: English where a piece has
no translation. The same version, language and translations always give the same bytes, so building
again stores the same file.
"""
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, render_template, send_file
from flask_babel import force_locale
from sqlalchemy import select

from lms.catalogue.models import Assessment, AssessmentKind, CourseVersion, Lesson, OfflinePack, PackKind
from lms.catalogue.translations import ContentTranslation, Shown, ShownAssessment, shown_assessment, shown_course, \
    shown_lesson
from lms.core import clock
from lms.core.i18n import LANGUAGES
from lms.core.pdf import STATIC_ROOT, render_pdf
from lms.core.urls import external_url
from lms.extensions import db

STYLESHEET = "css/app.css"  # copied into the ZIP as it is served: pages there use the site's classes
PDF_STYLESHEETS = ("css/offline-pdf.css",)
# An image of ours a lesson shows (the lesson sanitiser allows none today; a future one must still work offline).
STATIC_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=")/static/([^"?#]+)(")')


@dataclass(frozen=True)
class PackLesson:
    lesson: Lesson
    text: Shown
    file_name: str  # its page in the ZIP


@dataclass(frozen=True)
class PackAssessment:
    assessment: Assessment
    text: ShownAssessment
    online_url: str


@dataclass(frozen=True)
class PackModule:
    title: str
    lessons: list[PackLesson]
    assessments: list[PackAssessment]


@dataclass(frozen=True)
class PackContent:
    """What a pack shows, already in its language."""

    version: CourseVersion
    language: str
    title: str
    title_lang: str
    modules: list[PackModule]

    @property
    def lessons(self) -> list[PackLesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def assignments(self) -> list[PackAssessment]:
        return [item for module in self.modules for item in module.assessments
                if item.assessment.kind is AssessmentKind.ASSIGNMENT]

    @property
    def folder(self) -> str:
        return f"{self.version.course.slug}-v{self.version.number}-{self.language}"


def pack_languages(version: CourseVersion) -> list[str]:
    """English and each language the course's lessons or assessments are translated into, in our order."""
    translated = set(db.session.scalars(select(ContentTranslation.language).where(
        ContentTranslation.course_id == version.course_id, ContentTranslation.kind.in_(("lesson", "assessment")))))
    return [code for code in LANGUAGES if code == "en" or code in translated]


def pack_content(version: CourseVersion, language: str) -> PackContent:
    """The version's content in `language` (call it with that locale forced)."""
    course = version.course
    modules, number = [], 0
    for module in version.modules:
        lessons = []
        for lesson in module.lessons:
            number += 1
            lessons.append(PackLesson(lesson, shown_lesson(lesson), f"{number:02d}-{lesson.slug}.html"))
        assessments = [PackAssessment(assessment, shown_assessment(assessment),
                                      external_url("learning.open_assessment", slug=course.slug,
                                                   assessment_slug=assessment.slug))
                       for assessment in module.assessments]
        modules.append(PackModule(module.title, lessons, assessments))
    title = shown_course(course)
    return PackContent(version, language, title.title, title.lang, modules)


def _static_images(html: str, prefix: str, images: dict[str, bytes] | None = None) -> str:
    """`html` with each image of ours at `prefix` + its path under static/ (collected into `images` if given)."""
    def rewrite(match: re.Match) -> str:
        path = (STATIC_ROOT / match.group(2)).resolve()
        if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
            return match.group(1) + match.group(3)  # nothing to show offline, and no address that fails there
        relative = path.relative_to(STATIC_ROOT).as_posix()
        if images is not None:
            images[f"images/{relative}"] = path.read_bytes()
        return f"{match.group(1)}{prefix}{relative}{match.group(3)}"

    return STATIC_IMAGE.sub(rewrite, html)


def _zip_stamp(moment: datetime) -> tuple[int, int, int, int, int, int]:
    return max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))


def build_zip(content: PackContent) -> bytes:
    """The static pages, the stylesheet and the lessons' images in one folder, in a fixed order and date."""
    files: dict[str, bytes] = {"app.css": (STATIC_ROOT / STYLESHEET).read_bytes()}
    images: dict[str, bytes] = {}
    lessons = content.lessons
    bodies = {item.file_name: _static_images(item.text.body_html or "", "images/", images) for item in lessons}
    files["index.html"] = render_template("catalogue/offline/index.html", pack=content).encode()
    for index, item in enumerate(lessons):
        files[item.file_name] = render_template(
            "catalogue/offline/lesson.html", pack=content, item=item, body_html=bodies[item.file_name],
            previous=lessons[index - 1] if index else None,
            next=lessons[index + 1] if index + 1 < len(lessons) else None).encode()
    files.update(images)
    stamp = _zip_stamp(content.version.imported_at)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{content.folder}/{name}", date_time=stamp)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return out.getvalue()


def build_pdf(content: PackContent) -> bytes:
    """Every lesson and each assignment's brief, to print."""
    bodies = {item.file_name: _static_images(item.text.body_html or "", "") for item in content.lessons}
    html = render_template("catalogue/offline/pack_pdf.html", pack=content, bodies=bodies,
                           created=content.version.imported_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return render_pdf(html, stylesheets=PDF_STYLESHEETS, identifier=content.folder.encode())


def offline_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "offline"


def stored_path(pack: OfflinePack) -> Path:
    return offline_dir() / pack.stored_name


def download_name(pack: OfflinePack) -> str:
    """What the trainee's browser saves it as: course, version and language."""
    version = pack.version
    return f"{version.course.slug}-v{version.number}-{pack.language}-offline.{pack.kind.value}"


def send_pack(pack: OfflinePack):
    """The stored file as a download named after the course, version and language, kept by no cache on the way."""
    response = send_file(stored_path(pack), mimetype=pack.kind.media_type, as_attachment=True,
                         download_name=download_name(pack), max_age=0, etag=pack.sha256)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _store(version: CourseVersion, language: str, kind: PackKind, data: bytes) -> OfflinePack:
    from lms.certificates.documents import write_file  # the one all-or-nothing file write

    digest = hashlib.sha256(data).hexdigest()
    pack = db.session.scalar(select(OfflinePack).where(
        OfflinePack.version_id == version.id, OfflinePack.language == language, OfflinePack.kind == kind))
    if pack is None:
        pack = OfflinePack(version=version, language=language, kind=kind)
        db.session.add(pack)
    pack.stored_name = f"{version.course.slug}/v{version.number}/{version.course.slug}-{language}.{kind.value}"
    path = stored_path(pack)
    if pack.sha256 != digest or not path.is_file():
        write_file(path, data)
        pack.size_bytes, pack.sha256, pack.built_at = len(data), digest, clock.now()
    return pack


def build_packs(version: CourseVersion) -> list[OfflinePack]:
    """Builds and stores the version's packs in every language it has; an unchanged pack is left as it was,
    and the pack of a language the course no longer has is removed."""
    languages = pack_languages(version)
    for gone in db.session.scalars(select(OfflinePack).where(OfflinePack.version_id == version.id,
                                                             OfflinePack.language.not_in(languages))):
        stored_path(gone).unlink(missing_ok=True)
        db.session.delete(gone)
    packs = []
    for language in languages:
        with force_locale(language):
            content = pack_content(version, language)
            packs.append(_store(version, language, PackKind.ZIP, build_zip(content)))
            packs.append(_store(version, language, PackKind.PDF, build_pdf(content)))
    db.session.flush()
    return packs


def packs_for(version: CourseVersion, language: str) -> tuple[dict[PackKind, OfflinePack], str]:
    """The packs a reader of `language` downloads, and their language: hers if built, else English."""
    rows = db.session.scalars(select(OfflinePack).where(OfflinePack.version_id == version.id,
                                                        OfflinePack.language.in_({language, "en"}))).all()
    own = {row.kind: row for row in rows if row.language == language}
    if own:
        return own, language
    return {row.kind: row for row in rows if row.language == "en"}, "en"


def versions_to_build(course) -> list[CourseVersion]:
    """The versions whose packs a change of the course's translations touches: the current one and those
    an intake studies (translations serve every version)."""
    from lms.enrolment.models import Intake  # the enrolment domain imports the catalogue, not the reverse

    studied = select(Intake.course_version_id).where(Intake.course_id == course.id)
    return list(db.session.scalars(select(CourseVersion).where(
        CourseVersion.course_id == course.id,
        (CourseVersion.number == course.version) | CourseVersion.id.in_(studied)).order_by(CourseVersion.number)))
