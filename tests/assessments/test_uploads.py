"""Assignment files: checked by content and extension, stored under generated names, served safely to those allowed."""
import hashlib
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from lms.accounts.models import Role
from lms.assessments import uploads
from lms.assessments.models import Submission, SubmissionFile, SubmissionState
from lms.catalogue.models import AssessmentKind, Course
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from tests.conftest import post_form
from tests.factories import make_intake, make_programme, make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot run"


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document/>"})


@pytest.fixture
def setup(db_session):
    """An active trainee of a running intake of the universal service course, and its assignment."""
    course = db_session.query(Course).filter_by(slug="universal-service-rural-remote").one()
    assignment = next(a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    programme = make_programme()
    instructor = make_user(Role.INSTRUCTOR)
    intake = make_intake(programme, course, instructors=[instructor])
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=7), today + timedelta(days=30)
    trainee = make_user(country_code="TH", full_name="Somchai Owner")
    enrolment = Enrolment(intake=intake, user=trainee, state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    db_session.flush()
    return {"course": course, "assignment": assignment, "programme": programme, "intake": intake,
            "instructor": instructor, "trainee": trainee, "enrolment": enrolment}


def page_url(setup) -> str:
    return f"/study/{setup['enrolment'].id}/assignments/{setup['assignment'].id}"


def upload(client, setup, name: str, content: bytes, text: str = "My summary", action: str = "save_draft"):
    data = {"text": text, action: "1", "files": [(io.BytesIO(content), name)]}
    return post_form(client, page_url(setup), data, content_type="multipart/form-data")


def submission_of(setup) -> Submission:
    return db.session.query(Submission).filter_by(enrolment_id=setup["enrolment"].id).one()


def storage(name: str, content: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def test_a_pdf_is_accepted_and_recorded(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    response = upload(client, setup, "report.pdf", PDF)
    assert response.status_code == 302
    [file] = submission_of(setup).files
    assert file.original_name == "report.pdf"
    assert file.content_type == "application/pdf"
    assert file.size == len(PDF)
    assert file.sha256 == hashlib.sha256(PDF).hexdigest()


def test_the_file_is_stored_under_a_generated_name_outside_the_static_folder(signed_in_client, setup, app):
    client = signed_in_client(setup["trainee"])
    upload(client, setup, "report.pdf", PDF)
    [file] = submission_of(setup).files
    assert "report" not in file.stored_name and len(file.stored_name) >= 32
    assert all(ch in "0123456789abcdef" for ch in file.stored_name)
    with app.app_context():
        path = uploads.stored_path(file.stored_name)
    assert path.read_bytes() == PDF
    assert path.parent == Path(app.config["UPLOAD_DIR"])
    assert not path.resolve().is_relative_to(Path(app.static_folder).resolve())


def test_an_exe_renamed_to_pdf_is_refused_by_its_content(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    response = upload(client, setup, "report.pdf", EXE)
    assert response.status_code == 400
    assert "report.pdf is not a real PDF file" in response.get_data(as_text=True)
    assert submission_of(setup).files == []


def test_a_type_the_assignment_does_not_take_is_refused_by_its_extension(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    response = upload(client, setup, "photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    assert response.status_code == 400
    assert "only these file types are accepted: docx, odt, pdf, xlsx" in response.get_data(as_text=True)


def test_a_too_large_file_is_refused_with_a_message_and_the_typed_text_is_kept(signed_in_client, setup):
    setup["assignment"].max_file_mb = 1
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    big = PDF + b"0" * (1024 * 1024)
    response = upload(client, setup, "big.pdf", big, text="Text typed with the big file", action="submit")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "big.pdf is larger than the 1 MB allowed for this assignment." in page
    assert "Text typed with the big file" in page
    submission = submission_of(setup)
    assert submission.text == "Text typed with the big file"
    assert submission.files == [] and submission.times_submitted == 0  # refused file: not submitted


def test_a_request_over_the_server_limit_gets_a_clear_page(signed_in_client, setup, app, monkeypatch):
    client = signed_in_client(setup["trainee"])
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = upload(client, setup, "report.pdf", PDF + b"0" * 4096)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "What you sent is too large" in page and "Traceback" not in page
    assert f'href="{page_url(setup)}"' in page


@pytest.mark.parametrize("name, content, expected", [
    ("plan.docx", DOCX, True),
    ("plan.docx", XLSX, False),  # a workbook is not a document, whatever its name
    ("plan.docx", zip_bytes({"word/document.xml": b"x"}), False),
    ("sheet.xlsx", XLSX, True),
    ("plan.odt", ODT, True),
    ("plan.odt", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), False),
    ("report.pdf", PDF, True),
    ("report.pdf", b"PK\x03\x04 not really", False),
    ("plan.docx", b"PK\x03\x04 broken zip", False),
    ("plan.docx", DOCX[:-30], False),  # truncated: a damaged archive is refused, not an error
    ("plan.odt", ODT.replace(b"opendocument", b"opendocumenX"), False),
])
def test_office_and_pdf_files_are_recognised_by_content(setup, name, content, expected):
    setup["assignment"].file_types = ["pdf", "docx", "odt", "xlsx"]
    try:
        checked = uploads.check_upload(storage(name, content), setup["assignment"])
    except uploads.UploadRejected:
        checked = None
    assert (checked is not None) is expected


@pytest.mark.parametrize("name, content, expected", [
    ("notes.txt", "Ghi chú tiếng Việt\n".encode(), True),
    ("notes.txt", b"bad \xff\xfe bytes", False),
    ("notes.txt", b"nul \x00 byte", False),
    ("data.csv", b"a,b\n1,2\n", True),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, True),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 8, True),
    ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 8, True),
    ("photo.jpg", b"GIF89a", False),
])
def test_text_and_images_are_recognised_by_content(setup, name, content, expected):
    setup["assignment"].file_types = ["txt", "csv", "png", "jpg"]
    try:
        checked = uploads.check_upload(storage(name, content), setup["assignment"])
    except uploads.UploadRejected:
        checked = None
    assert (checked is not None) is expected


def test_names_are_cleaned_for_display(setup):
    assert uploads.display_name("C:\\Users\\me\\..\\รายงาน.pdf") == "รายงาน.pdf"
    assert uploads.display_name("../../etc/passwd\x00.pdf") == "passwd.pdf"
    assert uploads.display_name(".hidden.pdf") == "hidden.pdf"
    long = uploads.display_name("a" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


def test_an_empty_file_is_refused(setup):
    with pytest.raises(uploads.UploadRejected, match="empty"):
        uploads.check_upload(storage("report.pdf", b""), setup["assignment"])


def test_download_is_an_attachment_with_the_recorded_type_and_nosniff(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    upload(client, setup, "รายงาน final.pdf", PDF)
    [file] = submission_of(setup).files
    response = client.get(f"/study/files/{file.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert "text/html" not in response.headers["Content-Type"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E0%B8%A3%E0%B8%B2%E0%B8%A2%E0%B8%87%E0%B8%B2%E0%B8%99%20final.pdf" in disposition
    assert 'filename="final.pdf"' in disposition


def test_a_text_file_is_never_served_as_html(signed_in_client, setup):
    setup["assignment"].file_types = ["txt"]
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    upload(client, setup, "notes.txt", b"<html><script>alert(1)</script></html>")
    [file] = submission_of(setup).files
    response = client.get(f"/study/files/{file.id}")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.fixture
def uploaded(signed_in_client, setup):
    """A PDF the trainee saved with a draft, sent by a client of its own."""
    owner = signed_in_client(setup["trainee"])
    upload(owner, setup, "report.pdf", PDF)
    return submission_of(setup).files[0]


def status_for(client, file) -> int:
    return client.get(f"/study/files/{file.id}").status_code


def test_who_may_download_a_file(signed_in_client, setup, uploaded):
    other_intake = make_intake(setup["programme"], setup["course"], instructors=[make_user(Role.INSTRUCTOR)])
    assert status_for(signed_in_client(setup["trainee"]), uploaded) == 200
    assert status_for(signed_in_client(Role.TRAINEE, country_code="TH"), uploaded) == 404
    assert status_for(signed_in_client(setup["instructor"]), uploaded) == 200
    assert status_for(signed_in_client(other_intake.instructors[0]), uploaded) == 404
    assert status_for(signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH"), uploaded) == 200
    assert status_for(signed_in_client(Role.COUNTRY_COORDINATOR, country_code="KH"), uploaded) == 404
    assert status_for(signed_in_client(Role.PROGRAMME_COORDINATOR), uploaded) == 200
    assert status_for(signed_in_client(Role.ADMIN), uploaded) == 200
    assert status_for(signed_in_client(Role.INSTRUCTOR), uploaded) == 404


def test_anonymous_visitors_cannot_download(client, uploaded):
    response = client.get(f"/study/files/{uploaded.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_unknown_file_is_not_found(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    assert client.get("/study/files/999999").status_code == 404


def test_the_owner_removes_a_file_of_a_draft_and_it_leaves_the_disk(signed_in_client, setup, app):
    client = signed_in_client(setup["trainee"])
    upload(client, setup, "report.pdf", PDF)
    [file] = submission_of(setup).files
    file_id = file.id
    with app.app_context():
        path = uploads.stored_path(file.stored_name)
    response = post_form(client, f"/study/files/{file_id}/delete", {}, form_url=page_url(setup))
    assert response.status_code == 302 and response.headers["Location"] == page_url(setup)
    assert db.session.get(SubmissionFile, file_id) is None
    assert not path.exists()


def test_no_one_else_removes_a_file(signed_in_client, setup, uploaded):
    client = signed_in_client(setup["instructor"])
    response = post_form(client, f"/study/files/{uploaded.id}/delete", {}, form_url="/")
    assert response.status_code == 404
    assert db.session.get(SubmissionFile, uploaded.id) is not None


def test_a_file_cannot_be_removed_once_the_work_is_graded(signed_in_client, setup, uploaded):
    submission = uploaded.submission
    submission.state, submission.submitted_at, submission.score = SubmissionState.RETURNED, utcnow(), 70
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    response = post_form(client, f"/study/files/{uploaded.id}/delete", {}, form_url=page_url(setup),
                         follow_redirects=True)
    assert "graded and returned" in response.get_data(as_text=True)
    assert db.session.get(SubmissionFile, uploaded.id) is not None


def test_a_submission_holds_at_most_five_files(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    data = {"text": "", "save_draft": "1", "files": [(io.BytesIO(PDF), f"part{n}.pdf") for n in range(6)]}
    response = post_form(client, page_url(setup), data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "part5.pdf was not added: a submission holds at most 5 files." in response.get_data(as_text=True)
    assert len(submission_of(setup).files) == 5


def test_good_files_are_kept_when_another_in_the_same_request_is_refused(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    data = {"text": "Both files", "save_draft": "1",
            "files": [(io.BytesIO(PDF), "good.pdf"), (io.BytesIO(EXE), "bad.docx")]}
    response = post_form(client, page_url(setup), data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "bad.docx is not a real DOCX file" in page and "Everything else is saved" in page
    submission = submission_of(setup)
    assert [file.original_name for file in submission.files] == ["good.pdf"]
    assert submission.text == "Both files"
