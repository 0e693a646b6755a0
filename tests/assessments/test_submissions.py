"""The trainee's assignment page: drafts, submitting, resubmitting, the deadline and who may reach it."""
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from lms.accounts.models import Role
from lms.assessments import submissions, uploads
from lms.assessments.models import Submission, SubmissionState
from lms.audit.models import AuditEntry
from lms.catalogue.models import AssessmentKind, Course, SubmissionKind
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.queries import grade_stamp
from tests.conftest import post_form
from tests.factories import make_intake, make_programme, make_user

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture
def setup(db_session):
    """An active trainee of a running intake of the universal service course, and its assignment."""
    course = db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))
    assignment = next(a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    programme = make_programme()
    instructor = make_user(Role.INSTRUCTOR)
    intake = make_intake(programme, course, instructors=[instructor])
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=7), today + timedelta(days=30)
    trainee = make_user(full_name="Nguyen Thi Lan")
    enrolment = Enrolment(intake=intake, user=trainee, state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    db_session.flush()
    return {"course": course, "assignment": assignment, "programme": programme, "intake": intake,
            "instructor": instructor, "trainee": trainee, "enrolment": enrolment}


def url_of(setup) -> str:
    return f"/study/{setup['enrolment'].id}/assignments/{setup['assignment'].id}"


def send(client, setup, action: str = "save_draft", text: str | None = "", files=()):
    data = {action: "1"}
    if text is not None:
        data["text"] = text
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return post_form(client, url_of(setup), data, content_type="multipart/form-data")


def submission_of(setup) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.enrolment_id == setup["enrolment"].id))


def grade(signed_in_client, setup, levels: str = "best", feedback: str = "Well argued.") -> None:
    """The intake's instructor grades the work through the grading page."""
    instructor = signed_in_client(setup["instructor"])
    submission = submission_of(setup)
    data = {"feedback": feedback, "version": str(submission.times_submitted), "graded": grade_stamp(submission)}
    for criterion in setup["assignment"].rubric:
        chosen = criterion.levels[0] if levels == "best" else criterion.levels[-1]
        data[f"criterion_{criterion.id}"] = str(chosen.id)
    response = post_form(instructor, f"/teach/submissions/{submission.id}", data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_deadline_is_the_end_of_the_last_day_in_the_intakes_zone_shown_in_the_readers(signed_in_client, setup):
    intake = setup["intake"]
    intake.time_zone = "Asia/Jayapura"  # a face-to-face venue in Papua, two hours ahead of Jakarta
    setup["trainee"].time_zone = "Asia/Jakarta"
    client = signed_in_client(setup["trainee"])
    page = client.get(url_of(setup)).get_data(as_text=True)
    assert intake.closes_at.hour == 14 and intake.closes_at.minute == 59  # 23:59 in Jayapura is 14:59 UTC
    assert intake.ends_on.strftime("%-d %b %Y") + ", 21:59 Jakarta time" in page


def test_the_page_shows_the_brief_the_rubric_and_the_deadline(signed_in_client, setup):
    setup["trainee"].time_zone = "Asia/Phnom_Penh"  # the online intake's deadline is kept in Bangkok's zone
    client = signed_in_client(setup["trainee"])
    page = client.get(url_of(setup)).get_data(as_text=True)
    assert "A universal service programme for one province" in page
    assert "Gap analysis and targeting" in page and "Excellent" in page
    assert setup["intake"].ends_on.strftime("%-d %b %Y") + ", 23:59 Phnom Penh time" in page
    assert 'name="text"' in page and 'type="file"' in page and "multiple" in page
    assert "Save draft" in page and 'value="Submit"' in page
    assert submission_of(setup) is None  # looking creates nothing


def test_a_draft_keeps_its_text_and_files_across_saves(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    assert send(client, setup, text="First thoughts", files=[("plan.pdf", PDF)]).status_code == 302
    assert send(client, setup, text="First thoughts, revised").status_code == 302
    submission = submission_of(setup)
    assert submission.state is SubmissionState.DRAFT and submission.times_submitted == 0
    assert submission.text == "First thoughts, revised"
    assert [file.original_name for file in submission.files] == ["plan.pdf"]
    assert "First thoughts, revised" in client.get(url_of(setup)).get_data(as_text=True)


def test_draft_submit_resubmit_return_and_regrade(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    send(client, setup, text="Draft")
    assert submission_of(setup).state is SubmissionState.DRAFT

    assert send(client, setup, "submit", text="Version one").status_code == 302
    submission = submission_of(setup)
    assert submission.state is SubmissionState.SUBMITTED and submission.times_submitted == 1
    first_submitted_at = submission.submitted_at
    assert first_submitted_at is not None

    # Saving a draft over submitted work asks first: nothing changes until the trainee says so, and what
    # she typed comes back on the page.
    response = send(client, setup, text="Version two, in progress")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Nothing was saved: your work is submitted" in page and "Version two, in progress" in page
    submission = submission_of(setup)
    assert submission.state is SubmissionState.SUBMITTED and submission.text == "Version one"
    # Said so: editing submitted work takes it back to draft until it is sent again.
    response = post_form(client, url_of(setup), {"save_draft": "1", "take_back": "y", "text": "Version two, in progress"},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    assert submission_of(setup).state is SubmissionState.DRAFT
    assert "It is a draft again" in client.get(url_of(setup)).get_data(as_text=True)
    assert send(client, setup, "submit", text="Version two").status_code == 302
    submission = submission_of(setup)
    assert submission.state is SubmissionState.SUBMITTED and submission.times_submitted == 2
    assert submission.submitted_at >= first_submitted_at

    grade(signed_in_client, setup, "best", "Excellent work.")
    submission = submission_of(setup)
    assert submission.state is SubmissionState.RETURNED and submission.score == 100
    assert submission.graded_by_id == setup["instructor"].id and submission.graded_at is not None
    page = client.get(url_of(setup)).get_data(as_text=True)
    assert "Graded: 100%" in page and "Excellent work." in page and "graded and returned" in page

    # Returned work no longer changes, whatever the trainee sends.
    response = send(client, setup, "submit", text="Version three")
    assert response.status_code == 409
    assert submission_of(setup).text == "Version two"

    grade(signed_in_client, setup, "worst", "On reflection, the analysis is thin.")
    submission = submission_of(setup)
    assert submission.state is SubmissionState.RETURNED and submission.score < 100
    history = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "grade.changed", AuditEntry.object_id == submission.id).order_by(AuditEntry.id)).all()
    assert [entry.before["score"] for entry in history] == [None, 100]
    assert [entry.after["score"] for entry in history] == [100, submission.score]
    assert history[1].before["feedback"] == "Excellent work."
    assert history[1].after["feedback"] == "On reflection, the analysis is thin."
    assert history[1].before["levels"][0]["level"] == "Excellent"
    assert all(entry.actor_id == setup["instructor"].id for entry in history)


def test_without_resubmission_work_is_submitted_once(signed_in_client, setup):
    setup["assignment"].allow_resubmission = False
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    send(client, setup, "submit", text="Only version")
    response = send(client, setup, "submit", text="Second thoughts")
    assert response.status_code == 409
    assert "can be submitted only once" in response.get_data(as_text=True)
    submission = submission_of(setup)
    assert submission.text == "Only version" and submission.times_submitted == 1
    assert "can be submitted only once" in client.get(url_of(setup)).get_data(as_text=True)


def test_after_the_deadline_nothing_changes(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    send(client, setup, text="Saved before the deadline")
    setup["intake"].ends_on = utcnow().date() - timedelta(days=1)
    db.session.flush()
    page = client.get(url_of(setup)).get_data(as_text=True)
    assert "The deadline" in page and "has passed" in page
    assert 'value="Submit"' not in page
    response = send(client, setup, "submit", text="Too late")
    assert response.status_code == 409
    assert "Too late" in response.get_data(as_text=True)  # shown back, so it can be copied
    submission = submission_of(setup)
    assert submission.text == "Saved before the deadline" and submission.state is SubmissionState.DRAFT


def test_the_deadline_is_the_end_of_the_intakes_last_day(setup):
    submission = Submission(enrolment=setup["enrolment"], assessment=setup["assignment"])
    closes_at = setup["intake"].closes_at
    assert submissions.lock_reason(submission, now=closes_at) is None
    assert "deadline" in submissions.lock_reason(submission, now=closes_at + timedelta(seconds=1))


@pytest.mark.parametrize("kind, text, files, field_error", [
    (SubmissionKind.BOTH, "  ", [], "Please write an answer or upload a file before submitting."),
    (SubmissionKind.TEXT, "", [], "Please write your answer before submitting."),
    (SubmissionKind.FILE, None, [], "Please upload at least one file before submitting."),
])
def test_submitting_needs_what_the_assignment_asks_for(signed_in_client, setup, kind, text, files, field_error):
    setup["assignment"].submission_kind = kind
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    response = send(client, setup, "submit", text=text, files=files)
    assert response.status_code == 400
    assert field_error in response.get_data(as_text=True)
    assert submission_of(setup).state is SubmissionState.DRAFT


@pytest.mark.parametrize("kind, text, files", [
    (SubmissionKind.BOTH, "Only a text", []),
    (SubmissionKind.BOTH, "", [("plan.pdf", PDF)]),
    (SubmissionKind.TEXT, "An answer", []),
    (SubmissionKind.FILE, None, [("plan.pdf", PDF)]),
])
def test_submitting_with_enough(signed_in_client, setup, kind, text, files):
    setup["assignment"].submission_kind = kind
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    assert send(client, setup, "submit", text=text, files=files).status_code == 302
    assert submission_of(setup).state is SubmissionState.SUBMITTED


def test_the_form_offers_only_what_the_assignment_takes(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    setup["assignment"].submission_kind = SubmissionKind.TEXT
    db.session.flush()
    page = client.get(url_of(setup)).get_data(as_text=True)
    assert 'name="text"' in page and 'type="file"' not in page
    setup["assignment"].submission_kind = SubmissionKind.FILE
    db.session.flush()
    page = client.get(url_of(setup)).get_data(as_text=True)
    assert 'name="text"' not in page and 'accept=".docx,.odt,.pdf,.xlsx"' in page


def test_a_file_uploaded_in_a_draft_counts_when_submitting_later(signed_in_client, setup):
    setup["assignment"].submission_kind = SubmissionKind.FILE
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    send(client, setup, text=None, files=[("plan.pdf", PDF)])
    assert send(client, setup, "submit", text=None).status_code == 302
    assert submission_of(setup).state is SubmissionState.SUBMITTED


def test_an_overlong_answer_is_refused_and_shown_back(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    response = send(client, setup, text="x" * 100_001)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please keep your answer under 100000 characters." in page and "x" * 100_001 in page


def test_only_the_own_enrolment_reaches_the_page(signed_in_client, setup):
    client = signed_in_client(Role.TRAINEE, country_code="TH")
    assert client.get(url_of(setup)).status_code == 404
    assert post_form(client, url_of(setup), {"text": "Intruder", "save_draft": "1"},
                     form_url="/").status_code == 404
    assert submission_of(setup) is None


def test_only_an_assignment_of_the_enrolments_course_is_shown(signed_in_client, setup, db_session):
    client = signed_in_client(setup["trainee"])
    quiz = next(a for a in setup["course"].assessments if a.kind is AssessmentKind.QUIZ)
    other_course = db_session.scalar(select(Course).where(Course.slug != setup["course"].slug).limit(1))
    foreign = next(a for a in other_course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    enrolment_id = setup["enrolment"].id
    assert client.get(f"/study/{enrolment_id}/assignments/{quiz.id}").status_code == 404
    assert client.get(f"/study/{enrolment_id}/assignments/{foreign.id}").status_code == 404
    assert client.get(f"/study/{enrolment_id}/assignments/999999").status_code == 404


def test_opening_the_page_writes_nothing_the_calendar_activates_the_place(signed_in_client, setup):
    from lms.enrolment.jobs import move_enrolments_on_the_calendar
    from tests.job_runner import run_queued_jobs

    setup["enrolment"].state = EnrolmentState.APPROVED
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    assert client.get(url_of(setup)).status_code == 200
    assert setup["enrolment"].state is EnrolmentState.APPROVED  # a GET changes nothing
    move_enrolments_on_the_calendar()
    run_queued_jobs()
    db.session.expire_all()
    assert setup["enrolment"].state is EnrolmentState.ACTIVE


def test_before_the_intake_starts_the_brief_is_readable_but_work_waits(signed_in_client, setup):
    setup["enrolment"].state = EnrolmentState.APPROVED
    setup["intake"].starts_on = utcnow().date() + timedelta(days=3)
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    page = client.get(url_of(setup)).get_data(as_text=True)
    assert "once the intake has started" in page and 'value="Submit"' not in page
    assert send(client, setup, "submit", text="Early").status_code == 409
    assert submission_of(setup) is None


def test_a_requested_enrolment_cannot_reach_the_page(signed_in_client, setup):
    setup["enrolment"].state = EnrolmentState.REQUESTED
    db.session.flush()
    client = signed_in_client(setup["trainee"])
    assert client.get(url_of(setup)).status_code == 404


def test_the_rubric_shows_the_levels_chosen_once_graded(signed_in_client, setup):
    client = signed_in_client(setup["trainee"])
    send(client, setup, "submit", text="Work")
    grade(signed_in_client, setup, "worst", "Needs more data.")
    page = client.get(url_of(setup)).get_data(as_text=True)
    assert page.count("your grade") == len(setup["assignment"].rubric)
    assert "Needs more data." in page


def test_a_first_draft_saved_from_two_windows_at_once_lands_on_one_submission(signed_in_client, setup, app,
                                                                              monkeypatch):
    client = signed_in_client(setup["trainee"])
    assert send(client, setup, text="From the first window").status_code == 302
    # The second window looked before the first had saved: it sees no submission yet, twice (the page, then
    # the start of its first draft), and only the unique row of the first window stops it.
    real_find, blind_lookups = submissions.find_submission, [2]

    def find_late(enrolment, assessment):
        if blind_lookups[0]:
            blind_lookups[0] -= 1
            return None
        return real_find(enrolment, assessment)

    monkeypatch.setattr(submissions, "find_submission", find_late)
    response = send(client, setup, text="From the second window", files=[("plan.pdf", PDF)])
    assert response.status_code == 302 and blind_lookups == [0]
    saved = db.session.scalars(select(Submission).where(Submission.enrolment_id == setup["enrolment"].id)).all()
    assert len(saved) == 1 and saved[0].text == "From the second window" and len(saved[0].files) == 1
    stored = list(Path(app.config["UPLOAD_DIR"]).iterdir())
    assert saved[0].files[0].stored_name in {path.name for path in stored}


def test_a_file_stored_by_a_transaction_that_rolls_back_is_removed(app, setup):
    uploads_dir = Path(app.config["UPLOAD_DIR"])
    before = set(uploads_dir.iterdir()) if uploads_dir.exists() else set()
    submission = Submission(enrolment=setup["enrolment"], assessment=setup["assignment"])
    upload = uploads.check_upload(FileStorage(io.BytesIO(PDF), "plan.pdf"), setup["assignment"])
    submissions.save_draft(submission, "A draft", [upload])
    assert len(set(uploads_dir.iterdir()) - before) == 1
    db.session.rollback()
    assert set(uploads_dir.iterdir()) == before
