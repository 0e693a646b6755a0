"""The admin's web import: a ZIP of a course folder, checked like any upload and more, then errors as
path:line or the plan, then applied and audited."""
import io
import stat
import zipfile

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.catalogue import zip_import
from lms.catalogue.models import Course
from tests.catalogue.course_tree import write_course
from tests.conftest import csrf_token

URL = "/admin/courses/import"


def zip_of(folder, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
        for name, data in (extra or {}).items():
            if isinstance(data, zipfile.ZipInfo):
                archive.writestr(data, b"target")
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "course.zip"):
    return client.post(URL, data={"csrf_token": csrf_token(client, URL), "archive": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_an_admin_sees_the_plan_then_applies_it_and_the_import_is_audited(admin_client, tmp_path, db_session):
    folder = write_course(tmp_path, "web-course")
    page = upload(admin_client, zip_of(folder))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "web-course: new course, version 1" in text
    assert db_session.scalar(select(Course).where(Course.slug == "web-course")) is None  # nothing written yet
    token = text.split('name="token" value="')[1].split('"')[0]
    applied = admin_client.post(f"{URL}/apply", data={"csrf_token": csrf_token(admin_client, URL), "token": token})
    assert applied.status_code == 302 and applied.headers["Location"] == "/courses/web-course/versions"
    course = db_session.scalar(select(Course).where(Course.slug == "web-course"))
    assert course.version == 1 and len(course.assessments) == 2
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "course.imported",
                                                        AuditEntry.object_id == course.id)).one()
    assert entry.actor.role is Role.ADMIN
    # The same upload again is unchanged, and still audited as a person's import.
    again = upload(admin_client, zip_of(folder)).get_data(as_text=True)
    assert "web-course: unchanged (version 1)" in again
    token = again.split('name="token" value="')[1].split('"')[0]
    admin_client.post(f"{URL}/apply", data={"csrf_token": csrf_token(admin_client, URL), "token": token})
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "course.import_unchanged"))
    # A token is used once.
    replay = admin_client.post(f"{URL}/apply", data={"csrf_token": csrf_token(admin_client, URL), "token": token})
    assert replay.status_code == 302 and replay.headers["Location"] == URL


def test_invalid_files_are_shown_as_path_and_line_and_nothing_is_imported(admin_client, tmp_path, db_session):
    folder = write_course(tmp_path, "bad-course")
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text().replace("hours: 10", "hours: ten"))
    page = upload(admin_client, zip_of(folder))
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "bad-course/course.yaml:6: &#39;hours&#39; must be a whole number" in text
    assert str(tmp_path) not in text  # the server's own paths are never shown
    assert db_session.scalar(select(Course).where(Course.slug == "bad-course")) is None


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize("extra, reason", [
    ({"web-course/../../escape.txt": b"x"}, "the path leaves the course folder"),
    ({"/etc/cron.d/evil": b"x"}, "the path leaves the course folder"),
    ({"web-course\\..\\evil.txt": b"x"}, "the path leaves the course folder"),
    ({"link": _link("web-course/lessons/link.md")}, "links are not accepted"),
    ({"other-course/course.yaml": b"title: x"}, "exactly one course folder"),
    ({"web-course/bomb.txt": b"\0" * (20 * 1024 * 1024)}, "ZIP bomb"),
])
def test_unsafe_archives_are_refused_with_a_reason(admin_client, tmp_path, db_session, extra, reason):
    folder = write_course(tmp_path, "web-course")
    page = upload(admin_client, zip_of(folder, extra))
    assert page.status_code == 400
    assert reason in page.get_data(as_text=True).replace("&#39;", "'")
    assert not any((tmp_path.parent).glob("escape.txt"))
    assert db_session.scalar(select(Course).where(Course.slug == "web-course")) is None


def test_too_many_files_too_big_and_not_a_zip_are_refused(admin_client, tmp_path, monkeypatch):
    folder = write_course(tmp_path, "web-course")
    assert "not a ZIP archive" in upload(admin_client, b"PK not really").get_data(as_text=True)
    monkeypatch.setattr(zip_import, "MAX_FILES", 3)
    assert "a course may have at most 3" in upload(admin_client, zip_of(folder)).get_data(as_text=True)
    monkeypatch.setattr(zip_import, "MAX_ZIP_BYTES", 100)
    assert "larger than" in upload(admin_client, zip_of(folder)).get_data(as_text=True)


def test_only_admins_reach_the_web_import(programme_coordinator_client, db_session):
    assert programme_coordinator_client.get(URL).status_code == 403
