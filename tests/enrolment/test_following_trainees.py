"""A coordinator follows a trainee's progress, and an intake's waiting list in order with promotion."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import AssessmentKind, Course
from lms.core.db import utcnow
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState
from lms.grading.models import Attendance, IntakeSession
from lms.learning.models import LessonProgress
from tests.conftest import csrf_token
from tests.enrolment.helpers import requested, upcoming_intake
from tests.factories import make_intake, make_programme, make_user


@pytest.fixture
def running_intake(db_session):
    course = db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))
    intake = make_intake(make_programme(), course, mode=DeliveryMode.FACE_TO_FACE)
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=40), today + timedelta(days=20)
    intake.attendance_threshold = 75
    db_session.flush()
    return intake


def test_a_coordinator_follows_a_trainees_lessons_scores_and_attendance(signed_in_client, db_session, running_intake):
    course = running_intake.course
    enrolment = Enrolment(intake=running_intake, user=make_user(full_name="Chea Sophea", country_code="KH"),
                          state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    first_lesson = sorted(course.lessons, key=lambda lesson: (lesson.module.position, lesson.position))[0]
    db_session.add(LessonProgress(enrolment=enrolment, lesson=first_lesson, completed_at=utcnow() - timedelta(days=30),
                                  last_viewed_at=utcnow() - timedelta(days=30)))
    quiz = next(a for a in course.assessments if a.kind is AssessmentKind.QUIZ)
    assignment = next(a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    db_session.add(Attempt(enrolment=enrolment, assessment=quiz, number=1, score=40, submitted_at=utcnow()))
    db_session.add(Submission(enrolment=enrolment, assessment=assignment, state=SubmissionState.SUBMITTED,
                              submitted_at=utcnow(), times_submitted=1))
    day1 = IntakeSession(intake=running_intake, held_on=running_intake.starts_on, title="Day 1: field visit")
    day2 = IntakeSession(intake=running_intake, held_on=running_intake.starts_on + timedelta(days=1), title="Day 2")
    db_session.add_all([day1, day2])
    db_session.flush()
    db_session.add_all([Attendance(session=day1, enrolment=enrolment, is_present=True),
                        Attendance(session=day2, enrolment=enrolment, is_present=False)])
    db_session.flush()

    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="KH")
    page = client.get(f"/enrolments/{enrolment.id}/progress").get_data(as_text=True)
    lessons_required = sum(1 for lesson in course.lessons if lesson.is_required)
    assert f"1 / {lessons_required}" in page
    assert quiz.title in page and "40%" in page and "1 of" in page
    assert "submitted, waiting for a grade" in page
    assert "Day 1: field visit" in page and "absent" in page
    assert "Attendance 50% is below the 75%" in page
    assert "No activity for" not in page  # no lesson for 30 days, but a quiz and an assignment today
    assert "Behind on lessons" in page

    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    assert client.get(f"/enrolments/{enrolment.id}/progress").status_code == 404


def waitlisted(intake, code, name, days_ago):
    enrolment = requested(intake, code, full_name=name)
    enrolment.state = EnrolmentState.WAITLISTED
    enrolment.decided_at = utcnow() - timedelta(days=days_ago)
    return enrolment


def test_the_waiting_list_is_in_order_and_a_coordinator_promotes_someone(signed_in_client, db_session):
    intake = upcoming_intake(make_programme(), capacity=5)
    waitlisted(intake, "TH", "Second In Line", 3)
    first = waitlisted(intake, "VN", "First In Line", 5)
    third = waitlisted(intake, "TH", "Third In Line", 1)
    db_session.flush()
    client = signed_in_client(Role.PROGRAMME_COORDINATOR, country_code=None)
    page = client.get(f"/intakes/{intake.id}/waiting-list").get_data(as_text=True)
    assert page.index("First In Line") < page.index("Second In Line") < page.index("Third In Line")

    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    page = client.get(f"/intakes/{intake.id}/waiting-list").get_data(as_text=True)
    assert "First In Line" not in page and "Third In Line" in page
    response = client.post(f"/enrolments/{third.id}/promote", data={
        "reason": "Her ministry needs her trained first", "csrf_token": csrf_token(client, "/enrolments")},
        follow_redirects=True)
    assert f"Approved Third In Line for {intake.title}" in response.get_data(as_text=True)
    assert third.state is EnrolmentState.APPROVED and third.decision_reason == "Her ministry needs her trained first"
    assert first.state is EnrolmentState.WAITLISTED
    # Another country's person is not this coordinator's to promote.
    assert client.post(f"/enrolments/{first.id}/promote",
                       data={"csrf_token": csrf_token(client, "/enrolments")}).status_code == 404


def test_promotion_into_a_full_intake_is_refused_with_the_reason(signed_in_client, db_session):
    intake = upcoming_intake(make_programme(), capacity=1)
    holder = requested(intake, "TH")
    holder.state = EnrolmentState.APPROVED
    waiting = waitlisted(intake, "TH", "Patient Person", 2)
    db_session.flush()
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    page = client.post(f"/enrolments/{waiting.id}/promote", data={"csrf_token": csrf_token(client, "/enrolments")},
                       follow_redirects=True).get_data(as_text=True)
    assert "This intake is full (1 places)" in page
    assert waiting.state is EnrolmentState.WAITLISTED
