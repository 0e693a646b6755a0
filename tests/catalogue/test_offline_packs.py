"""Offline packs: a course version's lessons as static pages in a ZIP and as a PDF, per language, built by a job
after import, and downloaded from the trainee's study page."""
import io
from datetime import timedelta
import re
import zipfile
from html.parser import HTMLParser
from posixpath import dirname, join, normpath

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts.models import Role
from lms.catalogue import offline
from lms.catalogue.course_files import read_tree
from lms.catalogue.models import Course, OfflinePack, PackKind
from lms.catalogue.operations import import_courses
from lms.core import clock
from lms.core.i18n import LANGUAGES
from lms.core.templating import file_size
from lms.enrolment.models import Enrolment, EnrolmentState
from tests.catalogue.course_tree import ASSIGNMENT
from tests.catalogue.test_translations import translated_course
from tests.factories import make_intake, make_user
from tests.job_runner import queued_names, run_queued_jobs

THAI_ASSIGNMENT = ASSIGNMENT.replace("title: Essay", "title: เรียงความ") \
    .replace("Write about *something*.", "เขียนเรื่องการให้บริการในชนบท")


@pytest.fixture
def course(tmp_path, db_session):
    folder = translated_course(tmp_path)
    (folder / "assessments" / "essay.th.yaml").write_text(THAI_ASSIGNMENT, encoding="utf-8")
    import_courses(read_tree(tmp_path))
    return db_session.scalar(select(Course).where(Course.slug == "test-course"))


def enrol(course, language: str | None = "th") -> Enrolment:
    trainee = make_user(Role.TRAINEE)
    trainee.language = language
    enrolment = Enrolment(intake=make_intake(course=course), user=trainee, state=EnrolmentState.ACTIVE)
    from lms.extensions import db

    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def packs(version) -> dict[tuple[str, PackKind], OfflinePack]:
    from lms.extensions import db

    return {(pack.language, pack.kind): pack
            for pack in db.session.scalars(select(OfflinePack).where(OfflinePack.version_id == version.id))}


def test_an_import_queues_the_job_which_builds_each_language_and_building_again_stores_the_same_files(course,
                                                                                                     db_session):
    assert queued_names() == []  # queued once the import commits
    db_session.commit()
    assert queued_names() == ["build_offline_packs"]
    run_queued_jobs()
    built = packs(course.current_version)
    assert set(built) == {(language, kind) for language in ("en", "th") for kind in PackKind}
    for pack in built.values():
        data = offline.stored_path(pack).read_bytes()
        assert len(data) == pack.size_bytes and pack.size_bytes < 300 * 1024
    first = {key: (pack.sha256, pack.built_at, offline.stored_path(pack).read_bytes()) for key, pack in built.items()}

    offline.build_packs(course.current_version)
    again = packs(course.current_version)
    assert {key: (pack.sha256, pack.built_at, offline.stored_path(pack).read_bytes())
            for key, pack in again.items()} == first


def test_a_stored_file_lost_is_written_again_by_the_next_build(course):
    offline.build_packs(course.current_version)
    pack = packs(course.current_version)[("en", PackKind.ZIP)]
    offline.stored_path(pack).unlink()
    offline.build_packs(course.current_version)
    assert offline.stored_path(pack).is_file()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


def test_the_zip_opens_from_the_file_system_with_relative_links_only(course, app):
    offline.build_packs(course.current_version)
    pack = packs(course.current_version)[("th", PackKind.ZIP)]
    archive = zipfile.ZipFile(offline.stored_path(pack))
    names = set(archive.namelist())
    folder = "test-course-v1-th/"
    lessons = course.current_version.lessons
    assert names == {folder + name for name in ("index.html", "app.css", "01-intro.html", "02-second.html")}
    assert len(lessons) == 2
    online = f"{app.config['PUBLIC_BASE_URL']}/study/courses/test-course/assessments/"
    absolute = []
    for name in names - {folder + "app.css"}:
        html = archive.read(name).decode()
        parser = Links()
        parser.feed(html)
        assert parser.scripts == 0 and "/static/" not in html
        for link in parser.links:
            if link.startswith(("http://", "https://")):
                absolute.append((name, link))
                continue
            assert normpath(join(dirname(name), link)) in names, f"{name}: {link} is not in the ZIP"
        assert re.findall(r"https?://[^\s\"<]+", html) == [link for page, link in absolute if page == name]
    # Only the index names the quiz and the assignment, at their online address.
    assert sorted(absolute) == [(folder + "index.html", online + "check"), (folder + "index.html", online + "essay")]
    index = archive.read(folder + "index.html").decode()
    assert '<html lang="th">' in index and "หลักสูตรทดสอบ" in index and "แบบทดสอบ" in index
    intro = archive.read(folder + "01-intro.html").decode()
    assert 'href="02-second.html" rel="next"' in intro and "ข้อความภาษาไทย" in intro
    second = archive.read(folder + "02-second.html").decode()
    assert 'href="01-intro.html" rel="prev"' in second and '<article class="lesson" lang="en">' in second


def text_of(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_holds_the_lessons_and_the_assignment_brief_in_the_packs_language(course):
    offline.build_packs(course.current_version)
    built = packs(course.current_version)
    thai = text_of(offline.stored_path(built[("th", PackKind.PDF)]).read_bytes())
    assert "ข้อความภาษาไทย" in thai  # the translated lesson (a title's ำ comes back from the PDF as า)
    assert "Second" in thai  # the untranslated one, in English
    assert "เรียงความ" in thai and "เขียนเรื่องการให้บริการในชนบท" in thai  # the brief
    english = text_of(offline.stored_path(built[("en", PackKind.PDF)]).read_bytes())
    assert "Introduction" in english and "Write about something." in english and "ข้อความ" not in english


def test_the_study_page_says_the_pack_is_being_prepared_then_offers_it_with_its_size(signed_in_client, course):
    enrolment = enrol(course, "th")
    client = signed_in_client(enrolment.user)
    page = client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    with force_locale("th"):
        preparing = gettext("The offline copy of this course is being prepared. Please come back later.")
    assert preparing in page and f"/study/{enrolment.id}/offline.zip" not in page
    response = client.get(f"/study/{enrolment.id}/offline.zip")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/study/{enrolment.id}")

    offline.build_packs(course.current_version)
    built = packs(course.current_version)
    page = client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    assert f"/study/{enrolment.id}/offline.zip" in page and f"/study/{enrolment.id}/offline.pdf" in page
    with force_locale("th"):
        assert file_size(built[("th", PackKind.ZIP)].size_bytes) in page
        assert file_size(built[("th", PackKind.PDF)].size_bytes) in page
    with force_locale("th"):
        in_english = gettext("The offline copy is not available in %(language)s; these files are in English.",
                             language=LANGUAGES["th"].native_name)
    assert preparing not in page and in_english not in page

    response = client.get(f"/study/{enrolment.id}/offline.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == "attachment; filename=test-course-v1-th-offline.zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data == offline.stored_path(built[("th", PackKind.ZIP)]).read_bytes()
    response = client.get(f"/study/{enrolment.id}/offline.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_a_reader_of_a_language_without_a_pack_gets_the_english_one_and_is_told(signed_in_client, course):
    offline.build_packs(course.current_version)
    enrolment = enrol(course, "vi")
    client = signed_in_client(enrolment.user)
    page = client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    assert "Tiếng Việt" in page and f"/study/{enrolment.id}/offline.pdf" in page
    response = client.get(f"/study/{enrolment.id}/offline.pdf")
    assert response.headers["Content-Disposition"] == "attachment; filename=test-course-v1-en-offline.pdf"


def test_nobody_but_the_enrolled_trainee_downloads_her_pack(client, signed_in_client, course, db_session):
    offline.build_packs(course.current_version)
    enrolment = enrol(course)
    other_course = db_session.scalar(select(Course).where(Course.slug == "telecom-regulation-policy"))
    strangers = [enrol(other_course).user, enrol(course).user, make_user(Role.PROGRAMME_COORDINATOR)]
    urls = [f"/study/{enrolment.id}/offline.zip", f"/study/{enrolment.id}/offline.pdf"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for stranger in strangers:
        as_stranger = signed_in_client(stranger)
        assert [as_stranger.get(url).status_code for url in urls] in ([404, 404], [403, 403])
    as_trainee = signed_in_client(enrolment.user)
    assert [as_trainee.get(url).status_code for url in urls] == [200, 200]


def test_the_packs_online_link_leads_the_trainee_to_that_work_in_her_intake(signed_in_client, course):
    enrolment = enrol(course)
    quiz, essay = course.current_version.assessments
    client = signed_in_client(enrolment.user)
    response = client.get("/study/courses/test-course/assessments/check")
    assert response.headers["Location"].endswith(f"/study/{enrolment.id}/quizzes/{quiz.id}")
    response = client.get("/study/courses/test-course/assessments/essay")
    assert response.headers["Location"].endswith(f"/study/{enrolment.id}/assignments/{essay.id}")
    elsewhere = signed_in_client(Role.TRAINEE)  # no intake of this course: its page
    assert elsewhere.get("/study/courses/test-course/assessments/check").headers["Location"].endswith(
        "/courses/test-course")


def test_sizes_are_shown_in_kilobytes_or_megabytes_in_the_readers_language(app):
    with app.test_request_context():
        assert file_size(300) == "1 KB"
        assert file_size(48 * 1024 + 300) == "48 KB"
        assert file_size(int(1.5 * 1024 * 1024)) == "1.5 MB"
        with force_locale("vi"):
            assert file_size(int(1.5 * 1024 * 1024)).startswith("1,5")


def test_images_of_ours_a_lesson_shows_are_copied_and_linked_relatively(tmp_path, monkeypatch):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "map.png").write_bytes(b"\x89PNG map")
    monkeypatch.setattr(offline, "STATIC_ROOT", tmp_path)
    images: dict[str, bytes] = {}
    html = offline._static_images('<p><img src="/static/img/map.png" alt="Map"><img src="/static/img/gone.png"></p>',
                                  "images/", images)
    assert html == '<p><img src="images/img/map.png" alt="Map"><img src=""></p>'
    assert images == {"images/img/map.png": b"\x89PNG map"}


def test_programme_staff_preview_the_packs_from_the_course_versions_page(programme_coordinator_client, course):
    offline.build_packs(course.current_version)
    pack = packs(course.current_version)[("th", PackKind.PDF)]
    page = programme_coordinator_client.get("/courses/test-course/versions").get_data(as_text=True)
    url = f"/courses/test-course/offline-packs/{pack.id}"
    assert url in page and file_size(pack.size_bytes) in page
    response = programme_coordinator_client.get(url)
    assert response.status_code == 200 and response.headers["Content-Disposition"] == \
        "attachment; filename=test-course-v1-th-offline.pdf"
    under_another_course = f"/courses/telecom-regulation-policy/offline-packs/{pack.id}"
    assert programme_coordinator_client.get(under_another_course).status_code == 404


def test_changed_translations_rebuild_the_new_version_and_the_versions_intakes_still_study(tmp_path, course,
                                                                                           db_session):
    from lms.jobs.engine import huey

    first = course.current_version
    running = make_intake(course=course)  # started: it keeps studying version 1 after the import
    running.starts_on = clock.today() - timedelta(days=3)
    db_session.commit()
    run_queued_jobs()
    (tmp_path / "test-course" / "lessons" / "intro.th.md").write_text(
        "---\ntitle: บทนำ\nminutes: 10\n---\n\nข้อความใหม่\n", encoding="utf-8")
    import_courses(read_tree(tmp_path))
    db_session.commit()
    queued = sorted(huey.deserialize_task(data).args for data in huey.storage.enqueued_items())
    assert course.version == 2 and queued == [(first.id,), (course.current_version.id,)]
    run_queued_jobs()
    for version in (first, course.current_version):  # the translation serves both versions
        archive = zipfile.ZipFile(offline.stored_path(packs(version)[("th", PackKind.ZIP)]))
        assert "ข้อความใหม่" in archive.read(f"test-course-v{version.number}-th/01-intro.html").decode()


def test_the_pack_of_a_language_the_course_no_longer_has_is_removed(tmp_path, course, db_session):
    offline.build_packs(course.current_version)
    thai = packs(course.current_version)[("th", PackKind.PDF)]
    path = offline.stored_path(thai)
    from lms.catalogue.translations import ContentTranslation

    db_session.query(ContentTranslation).filter_by(course_id=course.id, language="th").delete()
    offline.build_packs(course.current_version)
    assert set(packs(course.current_version)) == {("en", PackKind.ZIP), ("en", PackKind.PDF)}
    assert not path.exists()


def test_an_import_that_changes_nothing_builds_the_packs_a_version_lacks(app, db_session, monkeypatch):
    """A database loaded before packs existed gets them from the next import, which `make run` does."""
    from lms.catalogue import operations
    from tests.conftest import COURSES_DIR

    queued = []
    monkeypatch.setattr(operations, "queue", lambda task, *args: queued.append((task.name, args)))
    course = db_session.scalar(select(Course).where(Course.slug == "telecom-regulation-policy"))
    version_id = course.current_version.id
    operations.import_courses(read_tree(COURSES_DIR))
    assert ("build_offline_packs", (version_id,)) in queued  # none built yet
    db_session.add(OfflinePack(version_id=version_id, language="en", kind=PackKind.ZIP, stored_name="x.zip",
                               size_bytes=1, sha256="0" * 64, built_at=clock.now()))
    db_session.flush()
    queued.clear()
    operations.import_courses(read_tree(COURSES_DIR))
    assert ("build_offline_packs", (version_id,)) not in queued  # built: an unchanged import leaves it
