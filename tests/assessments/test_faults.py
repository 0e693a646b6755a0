"""Faults on the trainee's work: a disk that fills during an upload, files left by a killed worker, and two
submissions of the same work at once (deterministic here; tests/assessments/test_concurrent_submits.py
sends them really at once on PostgreSQL)."""
import errno
import io
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from lms.assessments import quizzes, submissions, uploads
from lms.assessments.models import Attempt, Submission, SubmissionFile, SubmissionState
from lms.assessments.sweep import sweep_orphan_files
from lms.core.db import utcnow
from tests.assessments.test_quizzes import make_setup
from tests.assessments.test_uploads import PDF, page_url, setup, submission_of  # noqa: F401 - the fixture
from tests.conftest import post_form


def change_behind_the_session(db_session, model, row_id: int, **values) -> None:
    """Changes a row as another window's committed request would: this session's copy is left stale."""
    db_session.execute(update(model).where(model.id == row_id).values(**values)
                       .execution_options(synchronize_session=False))


def files_in(folder) -> set[str]:
    return {entry.name for entry in folder.iterdir()} if folder.is_dir() else set()


@pytest.fixture
def full_disk(monkeypatch):
    """Every upload meets ENOSPC after half its bytes are on disk, as on a filesystem that fills up."""
    real_open = open

    class FillingFile:
        def __init__(self, path, mode):
            self.file = real_open(path, mode)

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.file.close()

    monkeypatch.setattr(uploads, "open", FillingFile, raising=False)


def test_a_full_disk_keeps_the_text_removes_the_partial_file_and_says_the_file_was_not_stored(
        signed_in_client, setup, app, full_disk):  # noqa: F811 - the fixture
    folder = uploads.upload_dir()
    before = files_in(folder)
    client = signed_in_client(setup["trainee"])
    response = post_form(client, page_url(setup), {
        "text": "My plan for the northern districts", "submit": "1",
        "files": [(io.BytesIO(PDF * 50), "plan.pdf")]}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)

    assert response.status_code == 507
    assert "plan.pdf could not be stored" in page and "Your text is saved" in page
    assert files_in(folder) == before  # the half-written file is gone
    submission = submission_of(setup)
    assert submission.text == "My plan for the northern districts" and submission.files == []
    assert submission.state is SubmissionState.DRAFT  # not submitted without the file it was sent with


@pytest.fixture
def own_upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", tmp_path / "uploads")
    return tmp_path / "uploads"


def test_the_sweeper_removes_only_old_files_no_row_names(app, setup, db_session, own_upload_dir):  # noqa: F811
    folder = own_upload_dir
    named = uploads.store(uploads.CheckedUpload("kept.pdf", "application/pdf", PDF))
    submission = submissions.find_or_start(setup["enrolment"], setup["assignment"])
    submission.files.append(SubmissionFile(original_name="kept.pdf", stored_name=named, content_type="application/pdf",
                                           size=len(PDF), sha256="0" * 64, uploaded_at=utcnow()))
    db_session.flush()
    orphan, young_orphan = "a" * 40, "b" * 40
    other = "notes-of-the-administrator.txt"  # not a name uploads gives: never touched
    for name in (orphan, young_orphan, other):
        (folder / name).write_bytes(b"left behind")
    two_hours_ago = time.time() - 7200
    for name in (named, orphan, other):
        os.utime(folder / name, (two_hours_ago, two_hours_ago))

    assert sweep_orphan_files(dry_run=True).removed == [orphan]
    assert (folder / orphan).exists()
    result = sweep_orphan_files(timedelta(hours=1))

    assert result.removed == [orphan] and result.freed_bytes == len(b"left behind")
    assert files_in(folder) == {named, young_orphan, other}


def test_the_sweep_command_says_what_it_removed(app, db_session, own_upload_dir):
    folder = own_upload_dir
    folder.mkdir(parents=True)
    orphan = folder / ("c" * 40)
    orphan.write_bytes(b"x" * 10)
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))
    result = app.test_cli_runner().invoke(args=["uploads", "sweep", "--grace-minutes", "30"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 file(s) no submission names (10 bytes)" in result.output
    assert not orphan.exists()


def test_a_submit_arriving_after_another_window_submitted_the_attempt_is_refused(db_session):
    quiz_setup = make_setup(db_session)
    attempt = quizzes.start_attempt(quiz_setup.enrolment, quiz_setup.quiz)
    first = {"q3": False}
    # Another window submits and commits while this request holds its copy, read before that commit.
    change_behind_the_session(db_session, Attempt, attempt.id, submitted_at=utcnow(), answers=first, score=50.0,
                              raw_score=50.0)
    assert attempt.submitted_at is None  # this request's stale copy

    with pytest.raises(quizzes.AttemptRefused, match="already been submitted"):
        quizzes.record_answers(attempt, MultiDict(), submit=True, by=quiz_setup.trainee)
    db_session.expire_all()
    stored = db_session.get(Attempt, attempt.id)
    assert stored.answers == first and stored.score == 50.0  # the first submission stands, untouched


def test_a_second_window_of_a_submit_once_assignment_is_told_it_was_already_submitted(setup, db_session):  # noqa: F811
    setup["assignment"].allow_resubmission = False
    submission = submissions.find_or_start(setup["enrolment"], setup["assignment"])
    submission.text = "window one"
    db_session.flush()
    change_behind_the_session(db_session, Submission, submission.id, state=SubmissionState.SUBMITTED,
                              submitted_at=utcnow(), times_submitted=1)

    assert submissions.lock_reason(submissions.lock_for_change(submission)) == (
        "This assignment can be submitted only once, and you have submitted it.")


def test_submissions_are_counted_by_the_database_not_from_a_stale_copy(setup, db_session):  # noqa: F811
    setup["assignment"].allow_resubmission = True
    submission = submissions.find_or_start(setup["enrolment"], setup["assignment"])
    submission.text = "an answer"
    db_session.flush()
    change_behind_the_session(db_session, Submission, submission.id, times_submitted=3)
    assert submission.times_submitted == 0  # stale

    submissions.submit(submission)
    assert db_session.scalar(select(Submission.times_submitted).where(Submission.id == submission.id)) == 4


def test_two_submits_of_one_attempt_in_a_row_are_one_submission_and_one_refusal(signed_in_client, db_session):
    quiz_setup = make_setup(db_session)
    attempt = quizzes.start_attempt(quiz_setup.enrolment, quiz_setup.quiz)
    client = signed_in_client(quiz_setup.trainee)
    url = f"/study/attempts/{attempt.id}"
    first = post_form(client, url, {"action": "submit"})
    second = post_form(client, url, {"action": "submit"}, form_url=url + "/result")
    assert first.status_code == second.status_code == 302
    result_page = client.get(url + "/result").get_data(as_text=True)
    assert "already been submitted" in result_page
