"""Announcements: written by an intake's instructors and programme coordinators, delivered once to every
trainee holding a place (in the app and by mail, through the outbox and the job engine), listed newest first."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.announcements import operations
from lms.announcements.models import Announcement, AnnouncementReceipt
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.extensions import db
from lms.notifications.models import Notification, OutboxMail
from tests.conftest import post_form
from tests.factories import make_intake, make_user
from tests.job_runner import queued_names, run_queued_jobs


@pytest.fixture
def instructor(db_session):
    return make_user(Role.INSTRUCTOR, full_name="Ins Tructor")


@pytest.fixture
def intake(instructor):
    return make_intake(instructors=[instructor])


def enrol(intake, state: EnrolmentState, name: str = "Trainee") -> Enrolment:
    enrolment = Enrolment(intake=intake, user=make_user(full_name=name), state=state)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def told(user) -> tuple[int, int]:
    """How many notifications and mails the person has."""
    notes = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user.id))
    mails = db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.to_address == user.email))
    return notes, mails


def post(client, intake, title: str = "Room change", body: str = "We meet in **room 4** from Monday."):
    return post_form(client, f"/teach/intakes/{intake.id}/announcements", {"title": title, "body": body})


def test_every_trainee_holding_a_place_is_told_once_and_nobody_else(signed_in_client, db_session, instructor, intake):
    approved, active = enrol(intake, EnrolmentState.APPROVED), enrol(intake, EnrolmentState.ACTIVE)
    others = [enrol(intake, state) for state in (EnrolmentState.WITHDRAWN, EnrolmentState.REJECTED,
                                                 EnrolmentState.REQUESTED, EnrolmentState.WAITLISTED)]
    others.append(enrol(make_intake(course=intake.course), EnrolmentState.ACTIVE))  # another intake
    client = signed_in_client(instructor)
    response = post(client, intake)
    assert response.status_code == 302
    # Nothing is sent inside the request: the delivery job was queued after the commit.
    assert told(active.user) == (0, 0) and "deliver_announcement" in queued_names()
    run_queued_jobs()
    assert told(approved.user) == (1, 1) and told(active.user) == (1, 1)
    assert all(told(enrolment.user) == (0, 0) for enrolment in others)
    mail = db_session.scalar(select(OutboxMail).where(OutboxMail.to_address == active.user.email))
    assert "Room change" in mail.subject and "We meet in **room 4** from Monday." in mail.body
    assert f"/study/{active.id}" in mail.body


def test_a_delivery_run_twice_tells_nobody_twice(db_session, instructor, intake):
    trainee = enrol(intake, EnrolmentState.ACTIVE).user
    announcement = operations.post_announcement(intake, instructor, "Exam moved", "To Friday.")
    db_session.commit()
    run_queued_jobs()
    assert operations.deliver(announcement) == 0  # a second run, as a retried or reconciled job would
    assert told(trainee) == (1, 1)
    assert db_session.scalar(select(func.count()).select_from(AnnouncementReceipt)) == 1


def test_a_lost_delivery_job_is_found_again_by_the_reconciler(db_session, instructor, intake):
    from lms.announcements.jobs import queue_undelivered_announcements
    from tests.job_runner import clear_jobs

    trainee = enrol(intake, EnrolmentState.ACTIVE).user
    posted = datetime(2027, 2, 1, 8, 0, tzinfo=timezone.utc)
    with time_machine.travel(posted, tick=False):
        operations.post_announcement(intake, instructor, "Exam moved", "To Friday.")
        db_session.commit()
    clear_jobs()  # the broker lost it
    with time_machine.travel(posted + timedelta(minutes=20), tick=False):
        assert queue_undelivered_announcements() == 1
        db_session.commit()
        run_queued_jobs()
        assert queue_undelivered_announcements() == 0
    assert told(trainee) == (1, 1)


def test_an_empty_title_is_refused_and_the_text_is_kept(signed_in_client, db_session, instructor, intake):
    client = signed_in_client(instructor)
    response = post(client, intake, title="   ", body="Keep this text")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please give the announcement a title." in page and "Keep this text" in page
    assert db_session.scalar(select(Announcement.id)) is None and queued_names() == []


def test_the_text_is_rendered_safely(signed_in_client, db_session, instructor, intake):
    enrolment = enrol(intake, EnrolmentState.ACTIVE)
    operations.post_announcement(intake, instructor, "Links",
                                 "**Read** [this](javascript:alert(1)) <script>alert(2)</script>")
    client = signed_in_client(enrolment.user)
    page = client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    assert "<strong>Read</strong>" in page
    assert 'href="javascript:' not in page and "<script>alert(2)" not in page


def test_the_trainee_and_the_instructor_see_the_announcements_newest_first(signed_in_client, db_session, instructor,
                                                                           intake):
    enrolment = enrol(intake, EnrolmentState.ACTIVE)
    for day, title in ((1, "First news"), (2, "Second news")):
        with time_machine.travel(datetime(2027, 1, day, tzinfo=timezone.utc), tick=False):
            operations.post_announcement(intake, instructor, title, "Text")
    other = make_intake(course=intake.course, instructors=[instructor])
    operations.post_announcement(other, instructor, "Another intake's news", "Text")
    client = signed_in_client(enrolment.user)
    page = client.get(f"/study/{enrolment.id}").get_data(as_text=True)
    assert page.index("Second news") < page.index("First news") and "Another intake's news" not in page
    staff = signed_in_client(instructor)
    page = staff.get(f"/teach/intakes/{intake.id}/announcements").get_data(as_text=True)
    assert page.index("Second news") < page.index("First news") and "Another intake's news" not in page
    assert "Ins Tructor" in page


@pytest.mark.parametrize("role, status", [
    (Role.INSTRUCTOR, 403),  # of another intake
    (Role.TRAINEE, 403),
    (Role.COUNTRY_COORDINATOR, 403),
    (Role.PROGRAMME_COORDINATOR, 302),
])
def test_only_the_intakes_instructors_and_programme_coordinators_post(signed_in_client, db_session, intake, role,
                                                                      status):
    person = make_user(role)
    if role is Role.INSTRUCTOR:
        make_intake(course=intake.course, instructors=[person])
    client = signed_in_client(person)
    assert post(client, intake).status_code == status
    assert (db_session.scalar(select(Announcement.id)) is not None) == (status == 302)
