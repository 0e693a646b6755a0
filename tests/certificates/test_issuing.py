"""Issuing: on completion, by hand with a reason, for past completions; never twice, and kept as issued."""
import hashlib
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.certificates import documents
from lms.certificates.models import Certificate
from lms.certificates.operations import issue_missing, issue_on_completion
from lms.certificates.serials import new_serial
from lms.enrolment.models import EnrolmentState
from lms.extensions import db
from lms.grading.completion import evaluate_completion
from lms.notifications.models import OutboxMail
from tests.certificates.helpers import certified, committed_and_produced, enrol, ready_to_complete
from tests.conftest import post_form
from tests.factories import make_user
from tests.job_runner import queued_names, run_queued_jobs


def certificates_of(enrolment) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.enrolment_id == enrolment.id)))


def mails_to(user) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.to_address == user.email))


def stored_file(certificate) -> Path:
    return Path(current_app.config["PDF_DIR"]) / certificate.pdf_name


def test_completing_a_course_issues_a_certificate_with_what_it_certifies(intake):
    enrolment = ready_to_complete(enrol(intake, state=EnrolmentState.ACTIVE))
    assert evaluate_completion(enrolment) is True
    [certificate] = certificates_of(enrolment)
    # The row is in the completing transaction; the PDF waits for the job queued after its commit.
    assert certificate.pdf_sha256 is None and queued_names() == []
    committed_and_produced()
    course, trainee = intake.course, enrolment.user
    assert certificate.is_valid and certificate.issued_by is None and certificate.issue_reason is None
    assert (certificate.name_latin, certificate.name_native) == (trainee.full_name, trainee.native_name)
    assert (certificate.course_title, certificate.course_title_zh, certificate.course_hours) == (
        course.title, course.title_zh, course.hours)
    assert (certificate.intake_starts_on, certificate.intake_ends_on) == (intake.starts_on, intake.ends_on)
    assert (certificate.delivery_mode, certificate.location) == ("face_to_face", "Bangkok, Thailand")
    assert (certificate.programme_title, certificate.programme_title_zh) == ("Test programme", "测试项目")
    assert certificate.completed_on == enrolment.completed_at.date()
    # The PDF is rendered once, kept under PDF_DIR, with its SHA-256.
    data = stored_file(certificate).read_bytes()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    # The trainee is told, once.
    assert certificate.mailed_at is not None and mails_to(trainee) == 2  # the completion and the certificate
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.issued",
                                                      AuditEntry.object_id == certificate.id))


def test_completing_again_or_issuing_again_changes_nothing(intake):
    enrolment = ready_to_complete(enrol(intake, state=EnrolmentState.ACTIVE))
    evaluate_completion(enrolment)
    committed_and_produced()
    [certificate] = certificates_of(enrolment)
    mails = mails_to(enrolment.user)

    assert evaluate_completion(enrolment) is False
    assert issue_on_completion(enrolment) is certificate
    assert issue_missing() == []
    assert certificates_of(enrolment) == [certificate] and mails_to(enrolment.user) == mails


def test_the_database_refuses_a_second_current_certificate_for_one_completion(intake):
    certificate = certified(intake)
    twin = Certificate(**{column: getattr(certificate, column) for column in (
        "enrolment_id", "user_id", "name_latin", "name_native", "course_title", "course_title_zh", "course_hours",
        "intake_starts_on", "intake_ends_on", "delivery_mode", "location", "programme_title", "programme_title_zh",
        "completed_on")}, serial=new_serial())
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(twin)


def test_completions_from_before_certificates_get_one_each_once(app, intake):
    first, second = enrol(intake), enrol(intake, full_name="Suda Srisuk", native_name=None)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["certificates", "issue-missing"])
    assert result.exit_code == 0 and "Issued 2 certificate(s)." in result.output
    run_queued_jobs()
    assert len(certificates_of(first)) == len(certificates_of(second)) == 1
    again = runner.invoke(args=["certificates", "issue-missing"])
    assert "Every completion has its certificate." in again.output
    assert len(certificates_of(first)) == 1 and mails_to(first.user) == 1


def test_later_edits_to_the_course_and_the_trainee_change_no_certificate_given(signed_in_client, intake):
    certificate = certified(intake)
    issued_pdf, issued_title = stored_file(certificate).read_bytes(), certificate.course_title
    intake.course.title = "A renamed course"
    certificate.user.full_name = "Someone Else"
    db.session.flush()
    client = signed_in_client(certificate.user)
    response = client.get(f"/certificates/{certificate.serial}/pdf")
    assert response.data == issued_pdf
    assert certificate.course_title == issued_title and certificate.name_latin == "Somchai Wongsawat"


def test_a_lost_pdf_is_rebuilt_byte_for_byte(signed_in_client, intake):
    certificate = certified(intake)
    issued = stored_file(certificate).read_bytes()
    stored_file(certificate).unlink()
    client = signed_in_client(certificate.user)
    assert client.get(f"/certificates/{certificate.serial}/pdf").data == issued
    assert stored_file(certificate).read_bytes() == issued


def test_a_failed_render_leaves_the_completion_and_the_certificate_in_place(signed_in_client, intake, monkeypatch):
    def broken(certificate):
        raise OSError("disk full")

    monkeypatch.setattr(documents, "store_pdf", broken)
    enrolment = ready_to_complete(enrol(intake, state=EnrolmentState.ACTIVE))
    assert evaluate_completion(enrolment) is True
    committed_and_produced()  # the job fails, and is retried later
    [certificate] = certificates_of(enrolment)
    assert enrolment.state is EnrolmentState.COMPLETED and certificate.pdf_name is None
    monkeypatch.undo()
    client = signed_in_client(enrolment.user)
    response = client.get(f"/certificates/{certificate.serial}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")


# Issuing by hand

def issue_url(enrolment) -> str:
    return f"/enrolments/{enrolment.id}/certificate"


def test_a_programme_coordinator_issues_by_hand_with_a_reason(signed_in_client, intake):
    enrolment = enrol(intake, state=EnrolmentState.ACTIVE)
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    client = signed_in_client(coordinator)
    response = post_form(client, issue_url(enrolment), {"reason": "Assessed on paper during the site visit."})
    assert response.status_code == 302
    [certificate] = certificates_of(enrolment)
    assert enrolment.state is EnrolmentState.COMPLETED  # completed at the same time
    assert certificate.issued_by == coordinator
    assert certificate.issue_reason == "Assessed on paper during the site visit."
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.issued",
                                                       AuditEntry.object_id == certificate.id))
    assert entry.actor == coordinator and entry.reason == "Assessed on paper during the site visit."


def test_issuing_by_hand_needs_a_reason_and_happens_once(signed_in_client, intake):
    enrolment = enrol(intake)
    client = signed_in_client(Role.PROGRAMME_COORDINATOR)
    response = post_form(client, issue_url(enrolment), {"reason": "  "})
    assert response.status_code == 400 and "Please give the reason" in response.get_data(as_text=True)
    assert certificates_of(enrolment) == []

    assert post_form(client, issue_url(enrolment), {"reason": "Late record"}).status_code == 302
    [certificate] = certificates_of(enrolment)
    response = post_form(client, issue_url(enrolment), {"reason": "Again"})
    assert response.status_code == 409
    assert f"already has certificate {certificate.serial}" in response.get_data(as_text=True)
    assert certificates_of(enrolment) == [certificate]


def test_a_withdrawn_enrolment_cannot_be_certified(signed_in_client, intake):
    enrolment = enrol(intake, state=EnrolmentState.WITHDRAWN)
    client = signed_in_client(Role.PROGRAMME_COORDINATOR)
    response = post_form(client, issue_url(enrolment), {"reason": "Please"})
    assert response.status_code == 409 and "Only an active or completed enrolment" in response.get_data(as_text=True)
    assert certificates_of(enrolment) == []


def test_a_certificate_whose_job_was_lost_is_found_and_produced_by_the_reconciler(intake):
    from datetime import timedelta

    import time_machine

    from lms.core import clock
    from lms.jobs.jobs import reconcile
    from tests.job_runner import clear_jobs

    certificate = issue_on_completion(enrol(intake))
    db.session.commit()
    clear_jobs()  # the worker died before taking the job
    with time_machine.travel(clock.now() + timedelta(minutes=20), tick=False):
        reconcile()
        assert "produce_certificate" in run_queued_jobs()
    db.session.expire_all()
    assert certificate.pdf_sha256 and certificate.mailed_at is not None and mails_to(certificate.user) == 1
    with time_machine.travel(clock.now() + timedelta(minutes=40), tick=False):
        reconcile()
        assert run_queued_jobs() == ["reconcile"]  # nothing left undone
