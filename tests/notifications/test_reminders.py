"""Notifications people expect: coordinators hear of requests, trainees of work due and intakes starting,
instructors get a daily digest; each once, each kind switchable on the profile."""
from datetime import date, datetime, timedelta, timezone

import time_machine
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.assessments.models import Submission, SubmissionState
from lms.catalogue.models import AssessmentKind
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.enrolment.operations import request_enrolment
from lms.notifications.jobs import send_reminders_and_digests
from lms.notifications.models import NoticeKind, Notification
from lms.notifications.operations import set_wanted
from tests.conftest import post_form
from tests.factories import make_intake, make_user
from tests.job_runner import run_queued_jobs

BANGKOK = timezone(timedelta(hours=7))


def notices(db_session, user) -> list[str]:
    return list(db_session.scalars(select(Notification.message).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def run_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        send_reminders_and_digests()
        run_queued_jobs()


def test_a_new_request_reaches_the_countrys_coordinator(db_session):
    coordinator, other = make_user(Role.COUNTRY_COORDINATOR, country_code="TH"), make_user(Role.COUNTRY_COORDINATOR,
                                                                                           country_code="VN")
    intake = make_intake()
    request_enrolment(make_user(Role.TRAINEE, country_code="TH", full_name="Suda Srisuk"), intake,
                      today=date(2026, 12, 1))
    assert any("Suda Srisuk" in message for message in notices(db_session, coordinator))
    assert notices(db_session, other) == []


def test_where_a_country_has_no_coordinator_the_programme_coordinators_are_told_and_the_trainee_too(
        signed_in_client, db_session):
    programme_coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    trainee = make_user(Role.TRAINEE, country_code="LA", full_name="Bounmy Phommachanh")
    intake = make_intake()
    intake.starts_on, intake.ends_on = date.today() + timedelta(days=20), date.today() + timedelta(days=80)
    as_trainee = signed_in_client(trainee)
    response = post_form(as_trainee, f"/intakes/{intake.id}/request", {},
                         form_url=f"/courses/{intake.course.slug}", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "sent to the programme coordinators, since your country has no coordinator yet" in page
    assert any("Bounmy Phommachanh" in message for message in notices(db_session, programme_coordinator))
    as_coordinator = signed_in_client(programme_coordinator)
    overview = as_coordinator.get("/").get_data(as_text=True)
    assert "have no country coordinator" in overview and "Lao" in overview


def test_trainees_are_reminded_of_work_due_within_three_days_once(db_session):
    intake = make_intake()  # ends on 2027-03-26
    enrolment = Enrolment(intake=intake, user=make_user(), state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    assignment = next(a for a in intake.course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    db_session.add(Submission(enrolment=enrolment, assessment=assignment, state=SubmissionState.SUBMITTED,
                              submitted_at=datetime(2027, 3, 1, tzinfo=timezone.utc), times_submitted=1))
    db_session.commit()
    run_at(datetime(2027, 3, 22, 9, tzinfo=BANGKOK))  # four days before: nothing yet
    assert notices(db_session, enrolment.user) == []
    run_at(datetime(2027, 3, 23, 9, tzinfo=BANGKOK))
    reminded = notices(db_session, enrolment.user)
    unsubmitted = [a for a in intake.course.assessments if a.id != assignment.id]
    assert len(reminded) == len(unsubmitted) and all("is due by 2027-03-26" in message for message in reminded)
    assert not any(assignment.title + " in" in message for message in reminded)  # submitted already
    run_at(datetime(2027, 3, 23, 10, tzinfo=BANGKOK))  # again: nothing twice
    assert len(notices(db_session, enrolment.user)) == len(reminded)


def test_trainees_are_told_of_an_intake_starting_within_a_week_once(db_session):
    intake = make_intake()  # starts on 2027-01-04
    enrolment = Enrolment(intake=intake, user=make_user(), state=EnrolmentState.APPROVED)
    db_session.add(enrolment)
    db_session.commit()
    run_at(datetime(2026, 12, 27, 9, tzinfo=BANGKOK))
    assert notices(db_session, enrolment.user) == []
    run_at(datetime(2026, 12, 28, 9, tzinfo=BANGKOK))
    run_at(datetime(2026, 12, 29, 9, tzinfo=BANGKOK))
    assert notices(db_session, enrolment.user) == [f"{intake.course.title} starts on 2027-01-04."]


def test_instructors_get_one_digest_a_day_of_work_waiting(db_session):
    instructor = make_user(Role.INSTRUCTOR, country_code=None)
    intake = make_intake(instructors=[instructor])
    enrolment = Enrolment(intake=intake, user=make_user(), state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    assignment = next(a for a in intake.course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    db_session.add(Submission(enrolment=enrolment, assessment=assignment, state=SubmissionState.SUBMITTED,
                              submitted_at=datetime(2027, 2, 1, tzinfo=timezone.utc), times_submitted=1,
                              updated_at=datetime(2027, 2, 1, tzinfo=timezone.utc)))  # active: not at risk
    db_session.commit()
    run_at(datetime(2027, 2, 2, 8, tzinfo=BANGKOK))
    run_at(datetime(2027, 2, 2, 15, tzinfo=BANGKOK))
    [digest] = notices(db_session, instructor)
    assert "Test intake" in digest and "1 waiting" in digest
    run_at(datetime(2027, 2, 3, 8, tzinfo=BANGKOK))
    assert len(notices(db_session, instructor)) == 2  # the next day's


def test_each_kind_can_be_switched_off_on_the_profile(signed_in_client, db_session):
    trainee = make_user()
    intake = make_intake()
    db_session.add(Enrolment(intake=intake, user=trainee, state=EnrolmentState.APPROVED))
    client = signed_in_client(trainee)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "An intake of mine starts within a week" in page and "checked" in page
    response = post_form(client, "/account/notifications", {"kind": [NoticeKind.WORK_DUE.value]})
    assert response.status_code == 302
    run_at(datetime(2026, 12, 30, 9, tzinfo=BANGKOK))
    assert notices(db_session, trainee) == []  # switched off
    set_wanted(trainee, {NoticeKind.WORK_DUE, NoticeKind.INTAKE_STARTING})
    db_session.commit()
    run_at(datetime(2026, 12, 31, 9, tzinfo=BANGKOK))
    assert len(notices(db_session, trainee)) == 1
    assert db_session.scalar(select(func.count()).select_from(Notification)) >= 1
