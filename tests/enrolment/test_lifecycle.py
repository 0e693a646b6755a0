"""The calendar moves enrolments by itself, in the programme's zone: active at the start, completed or failed
after the end and the grading grace period, undecided requests closed; running it again moves nothing."""
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.certificates.models import Certificate
from lms.enrolment.jobs import move_enrolments_on_the_calendar
from lms.enrolment.models import Enrolment, EnrolmentEvent, EnrolmentState
from lms.enrolment.operations import approve_enrolment
from lms.notifications.models import Notification
from tests.certificates.helpers import ready_to_complete
from tests.conftest import post_form
from tests.enrolment.helpers import requested
from tests.factories import make_intake, make_user
from tests.job_runner import queued_names, run_queued_jobs

START, END = date(2027, 1, 4), date(2027, 3, 26)  # make_intake's dates; the programme's zone is Asia/Bangkok


def bangkok(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone(timedelta(hours=7)))


@pytest.fixture
def intake(db_session):
    return make_intake()


def enrolled(intake, state: EnrolmentState) -> Enrolment:
    enrolment = requested(intake)
    enrolment.state = state
    return enrolment


def run_calendar_at(moment: datetime) -> list[str]:
    with time_machine.travel(moment, tick=False):
        move_enrolments_on_the_calendar()
        return run_queued_jobs()


def events_of(db_session, enrolment) -> list[tuple]:
    return list(db_session.execute(select(EnrolmentEvent.to_state, EnrolmentEvent.by_id)
                                   .where(EnrolmentEvent.enrolment_id == enrolment.id)))


def test_at_the_start_in_the_programmes_zone_approved_places_become_active(db_session, intake):
    approved, undecided = enrolled(intake, EnrolmentState.APPROVED), requested(intake)
    db_session.commit()
    run_calendar_at(bangkok(START - timedelta(days=1), 23, 50))  # 16:50 UTC on the 3rd: not yet
    db_session.expire_all()
    assert approved.state is EnrolmentState.APPROVED and undecided.state is EnrolmentState.REQUESTED

    run_calendar_at(bangkok(START, 0, 15))  # still the 3rd in UTC, but the 4th in Bangkok
    db_session.expire_all()
    assert approved.state is EnrolmentState.ACTIVE
    assert undecided.state is EnrolmentState.REJECTED
    assert events_of(db_session, approved) == [(EnrolmentState.ACTIVE, None)]  # done by the system
    audit = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "enrolment.activated",
                                                       AuditEntry.object_id == approved.id))
    assert audit.actor_id is None and audit.after == {"state": "active"}
    notice = db_session.scalar(select(Notification.message).where(Notification.user_id == undecided.user_id))
    assert "request is closed" in notice

    run_calendar_at(bangkok(START, 1, 0))  # again: nothing moves twice
    db_session.expire_all()
    assert events_of(db_session, approved) == [(EnrolmentState.ACTIVE, None)]
    assert len(events_of(db_session, undecided)) == 1
    assert db_session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == undecided.user_id)) == 1


def test_after_the_end_and_the_grace_period_active_places_are_completed_or_failed(app, db_session, intake):
    passing = ready_to_complete(enrolled(intake, EnrolmentState.ACTIVE))
    failing = enrolled(intake, EnrolmentState.ACTIVE)
    waiting = enrolled(intake, EnrolmentState.WAITLISTED)
    db_session.commit()
    grace = app.config["COMPLETION_GRACE_DAYS"]

    run_calendar_at(bangkok(END + timedelta(days=grace), 23, 0))  # the grace period's last day: instructors grade
    db_session.expire_all()
    assert passing.state is failing.state is EnrolmentState.ACTIVE
    assert waiting.state is EnrolmentState.REJECTED  # the waiting list closes when the intake ends

    ran = run_calendar_at(bangkok(END + timedelta(days=grace + 1), 0, 30))
    db_session.expire_all()
    assert passing.state is EnrolmentState.COMPLETED and passing.completed_at is not None
    assert passing.final_grade == 100
    assert failing.state is EnrolmentState.FAILED and failing.final_grade == 0
    assert events_of(db_session, failing)[-1] == (EnrolmentState.FAILED, None)
    actions = set(db_session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id.is_(None))))
    assert {"enrolment.completed", "enrolment.failed", "enrolment.closed"} <= actions
    # The completion inserted the certificate row; a job rendered and stored it after the commit.
    certificate = db_session.scalar(select(Certificate).where(Certificate.enrolment_id == passing.id))
    assert certificate is not None and "produce_certificate" in ran and certificate.pdf_sha256

    before = db_session.scalar(select(func.count()).select_from(EnrolmentEvent))
    run_calendar_at(bangkok(END + timedelta(days=grace + 1), 1, 0))
    assert db_session.scalar(select(func.count()).select_from(EnrolmentEvent)) == before
    assert db_session.scalar(select(func.count()).select_from(Certificate)
                             .where(Certificate.enrolment_id == passing.id)) == 1


def test_a_place_given_in_a_running_intake_is_active_right_after_the_commit(db_session, intake):
    intake.starts_on = date(2027, 1, 4)
    enrolment = requested(intake)
    coordinator = make_user(Role.COUNTRY_COORDINATOR)
    with time_machine.travel(bangkok(START + timedelta(days=3), 10), tick=False):
        approve_enrolment(enrolment, coordinator)
        assert queued_names() == []
        db_session.commit()
        assert "start_intake" in queued_names()
        run_queued_jobs()
    db_session.expire_all()
    assert enrolment.state is EnrolmentState.ACTIVE


def test_a_place_given_on_the_decision_page_in_a_running_intake_is_active_once_the_request_commits(
        signed_in_client, db_session, intake):
    enrolment = requested(intake)
    with time_machine.travel(bangkok(START + timedelta(days=3), 10), tick=False):
        client = signed_in_client(Role.COUNTRY_COORDINATOR)
        response = post_form(client, f"/enrolments/{enrolment.id}", {"decision": "approve"})
        assert response.status_code == 302, response.get_data(as_text=True)
        assert "start_intake" in queued_names()  # queued by the commit at the request's edge
        run_queued_jobs()
    db_session.expire_all()
    assert enrolment.state is EnrolmentState.ACTIVE


def test_a_study_page_opened_before_the_calendar_ran_writes_nothing(signed_in_client, db_session, intake):
    intake.starts_on = date.today() - timedelta(days=1)
    intake.ends_on = date.today() + timedelta(days=30)
    enrolment = enrolled(intake, EnrolmentState.APPROVED)
    client = signed_in_client(enrolment.user)
    assert client.get(f"/study/{enrolment.id}").status_code == 200
    db_session.expire_all()
    assert enrolment.state is EnrolmentState.APPROVED and events_of(db_session, enrolment) == []
