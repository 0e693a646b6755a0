"""The pages the load benchmark drives run as many SQL queries for a few rows as for several times more.

Each test counts the statements of one request (after a first request that may write, e.g. a lesson's
first view), adds data of the kind the page lists, and counts again. Time is never asserted here;
`make bench` measures it.
"""
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import AssessmentKind, Course
from lms.catalogue.translations import ContentTranslation
from lms.certificates.models import Certificate
from lms.certificates.serials import new_serial
from lms.core.db import utcnow
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.models import Attendance, IntakeSession
from lms.learning.models import LessonProgress
from lms.notifications.operations import notify
from tests.queries import counted_queries
from tests.factories import make_intake, make_programme, make_user

QUOTA_DASHBOARD = "reports.show_quota_report"
CERTIFICATE_VERIFICATION = "certificates.verify_certificate"


def count_queries(client, url: str) -> int:
    """SQL statements run by a GET of `url`, after one GET to warm up; the page must answer 200."""
    assert client.get(url).status_code == 200, url
    with counted_queries() as statements:
        assert client.get(url).status_code == 200, url
    return len(statements)


@pytest.fixture
def courses(db_session) -> list[Course]:
    return list(db_session.scalars(select(Course).order_by(Course.slug)))


@pytest.fixture
def programme(db_session):
    return make_programme()


def running_intake(programme, course, mode=DeliveryMode.ONLINE, instructors=()):
    intake = make_intake(programme, course, mode=mode, instructors=list(instructors))
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=30), today + timedelta(days=30)
    intake.attendance_threshold = 0 if mode is DeliveryMode.ONLINE else 80
    return intake


def enrol(intake, user=None, state=EnrolmentState.ACTIVE, country_code="TH") -> Enrolment:
    enrolment = Enrolment(intake=intake, user=user or make_user(country_code=country_code), state=state)
    if state is EnrolmentState.COMPLETED:
        enrolment.completed_at = utcnow()
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def add_work(enrolment: Enrolment, attempts_per_quiz: int = 1) -> None:
    """Every lesson done, every quiz attempted and the assignment graded: the most a page can list."""
    course, now = enrolment.intake.course, utcnow()
    viewed = set(db.session.scalars(select(LessonProgress.lesson_id).where(LessonProgress.enrolment_id == enrolment.id)))
    for lesson in course.lessons:
        if lesson.id not in viewed:
            db.session.add(LessonProgress(enrolment=enrolment, lesson=lesson, last_viewed_at=now, completed_at=now))
    for assessment in course.assessments:
        if assessment.kind is AssessmentKind.QUIZ:
            db.session.add_all(Attempt(enrolment=enrolment, assessment=assessment, number=number, score=70,
                                       submitted_at=now) for number in range(1, attempts_per_quiz + 1))
        else:
            db.session.add(Submission(enrolment=enrolment, assessment=assessment, state=SubmissionState.RETURNED,
                                      submitted_at=now, times_submitted=1, score=80, feedback="Good"))
    db.session.flush()


def certify(enrolment: Enrolment) -> Certificate:
    intake, user = enrolment.intake, enrolment.user
    certificate = Certificate(
        serial=new_serial(), enrolment=enrolment, user=user, name_latin=user.full_name,
        course_title=intake.course.title, course_title_zh=intake.course.title_zh, course_hours=intake.course.hours,
        intake_starts_on=intake.starts_on, intake_ends_on=intake.ends_on, delivery_mode=intake.mode.value,
        programme_title=intake.programme.title, programme_title_zh=intake.programme.title_zh,
        completed_on=utcnow().date(),
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def test_the_bare_endpoint_answers_a_constant_without_the_database(client):
    assert count_queries(client, "/healthz") == 0
    response = client.get("/healthz")
    assert response.get_data(as_text=True) == "ok" and response.mimetype == "text/plain"


def test_the_trainee_home_page_is_flat_in_enrolments_certificates_and_notifications(signed_in_client, programme,
                                                                                    courses):
    trainee = make_user()
    first = enrol(running_intake(programme, courses[0]), trainee, EnrolmentState.COMPLETED)
    certify(first)
    notify(trainee, "Welcome")
    client = signed_in_client(trainee)
    few = count_queries(client, "/")
    assert few >= 3  # the listener sees the request\'s queries

    for course in courses[1:5]:
        certify(enrol(running_intake(programme, course), trainee, EnrolmentState.COMPLETED))
    for number in range(6):
        notify(trainee, f"Message {number}")
    db.session.flush()
    assert count_queries(client, "/") == few


def test_a_trainee_reading_in_vietnamese_gets_her_home_in_as_many_queries_however_many_courses_it_names(
        signed_in_client, programme, courses):
    trainee = make_user(country_code="VN")
    trainee.language = "vi"
    enrol(running_intake(programme, courses[0]), trainee)
    make_intake(programme, courses[1])  # starting soon: its course's title is shown in her language
    client = signed_in_client(trainee)
    few = count_queries(client, "/")
    vietnamese_title = db.session.scalar(select(ContentTranslation.title).where(
        ContentTranslation.course_id == courses[1].id, ContentTranslation.kind == "course",
        ContentTranslation.language == "vi"))
    assert vietnamese_title and vietnamese_title in client.get("/").get_data(as_text=True)

    for course in courses[2:]:
        make_intake(programme, course)
        certify(enrol(running_intake(programme, course), make_user(country_code="VN")))
    db.session.flush()
    assert count_queries(client, "/") == few


def test_a_lesson_page_is_flat_in_progress_and_in_the_intake_size(signed_in_client, programme, courses):
    intake = running_intake(programme, courses[0])
    enrolment = enrol(intake)
    lessons = intake.course.lessons
    client = signed_in_client(enrolment.user)
    url = f"/study/{enrolment.id}/lessons/{lessons[1].id}"
    few = count_queries(client, url)
    assert few >= 3  # the listener sees the request\'s queries

    add_work(enrolment, attempts_per_quiz=3)
    for _ in range(5):
        add_work(enrol(intake))
    assert count_queries(client, url) == few


def test_a_quiz_page_is_flat_in_attempts_and_in_the_intake_size(signed_in_client, programme, courses):
    intake = running_intake(programme, courses[0])
    enrolment = enrol(intake)
    quiz = next(a for a in intake.course.assessments if a.kind is AssessmentKind.QUIZ)
    quiz.attempts_allowed = 0  # unlimited, so several attempts are allowed
    db.session.add(Attempt(enrolment=enrolment, assessment=quiz, number=1, score=40, submitted_at=utcnow()))
    db.session.flush()
    client = signed_in_client(enrolment.user)
    url = f"/study/{enrolment.id}/quizzes/{quiz.id}"
    few = count_queries(client, url)
    assert few >= 3  # the listener sees the request\'s queries

    db.session.add_all(Attempt(enrolment=enrolment, assessment=quiz, number=number, score=50 + number,
                               submitted_at=utcnow()) for number in range(2, 6))
    for _ in range(5):
        add_work(enrol(intake))
    assert count_queries(client, url) == few


def test_a_quiz_page_with_an_attempt_whose_time_is_up_costs_no_more_queries(signed_in_client, programme, courses):
    intake = running_intake(programme, courses[0])
    enrolment = enrol(intake)
    quiz = next(a for a in intake.course.assessments if a.kind is AssessmentKind.QUIZ)
    quiz.attempts_allowed = 3
    db.session.add(Attempt(enrolment=enrolment, assessment=quiz, number=1, score=40, submitted_at=utcnow()))
    db.session.flush()
    client = signed_in_client(enrolment.user)
    url = f"/study/{enrolment.id}/quizzes/{quiz.id}"
    few = count_queries(client, url)

    # Open, its time up an hour ago: shown closed until the job closes it; each check reads her terms.
    started = utcnow() - timedelta(hours=2)
    db.session.add(Attempt(enrolment=enrolment, assessment=quiz, number=2, started_at=started,
                           deadline_at=started + timedelta(hours=1)))
    db.session.flush()
    assert count_queries(client, url) == few


def test_the_job_closing_expired_attempts_reads_the_open_ones_in_a_fixed_number_of_queries(programme, courses):
    from lms.assessments.quizzes import close_expired_attempts

    intake = running_intake(programme, courses[0])
    quiz = next(a for a in intake.course.assessments if a.kind is AssessmentKind.QUIZ)

    def someone_taking_the_quiz():
        started = utcnow()  # twenty minutes left: the job leaves it open
        db.session.add(Attempt(enrolment=enrol(intake), assessment=quiz, number=1, started_at=started,
                               deadline_at=started + timedelta(minutes=20)))
        db.session.flush()
        db.session.expire_all()  # as in the worker, which starts each run with nothing loaded

    someone_taking_the_quiz()
    with counted_queries() as statements:
        assert close_expired_attempts() == []
    few = len(statements)

    for _ in range(5):
        someone_taking_the_quiz()
    with counted_queries() as statements:
        assert close_expired_attempts() == []
    assert len(statements) == few


@pytest.mark.parametrize("mode", [DeliveryMode.ONLINE, DeliveryMode.FACE_TO_FACE])
def test_the_gradebook_is_flat_from_3_to_12_trainees(signed_in_client, programme, courses, mode):
    instructor = make_user(Role.INSTRUCTOR)
    intake = running_intake(programme, courses[0], mode=mode, instructors=[instructor])
    if mode is not DeliveryMode.ONLINE:
        intake.location = "Bangkok, Thailand"
    session = IntakeSession(intake=intake, held_on=intake.starts_on, title="Session 1")
    db.session.add(session)

    def add_trainees(count: int) -> None:
        for _ in range(count):
            enrolment = enrol(intake)
            add_work(enrolment, attempts_per_quiz=2)
            db.session.add(Attendance(session=session, enrolment=enrolment, is_present=True))
        db.session.flush()

    add_trainees(3)
    client = signed_in_client(instructor)
    url = f"/teach/intakes/{intake.id}/gradebook"
    few = count_queries(client, url)
    assert few >= 3  # the listener sees the request\'s queries

    add_trainees(9)
    assert count_queries(client, url) == few


@pytest.mark.parametrize("role", [Role.PROGRAMME_COORDINATOR, Role.COUNTRY_COORDINATOR])
def test_the_quota_dashboard_is_flat_in_trainees_and_certificates(app, signed_in_client, programme, courses, role):
    intake = running_intake(programme, courses[0])

    def add_certified(count: int) -> None:
        for number in range(count):
            enrolment = enrol(intake, state=EnrolmentState.COMPLETED, country_code=("TH", "VN", "ID")[number % 3])
            add_work(enrolment)
            certify(enrolment)

    add_certified(2)
    enrol(intake, state=EnrolmentState.REQUESTED)
    client = signed_in_client(role, country_code="TH")
    with app.test_request_context():
        url = url_for(QUOTA_DASHBOARD)
    few = count_queries(client, url)
    assert few >= 3  # the listener sees the request\'s queries

    add_certified(10)
    for _ in range(4):
        enrol(intake, state=EnrolmentState.REQUESTED)
    assert count_queries(client, url) == few


def test_certificate_verification_is_flat_in_certificates(app, client, programme, courses):
    enrolment = enrol(running_intake(programme, courses[0]), state=EnrolmentState.COMPLETED)
    certificate = certify(enrolment)
    with app.test_request_context():
        url = url_for(CERTIFICATE_VERIFICATION, serial=certificate.serial)
    few = count_queries(client, url)
    assert few >= 3  # the listener sees the request\'s queries

    for course in courses[1:]:
        certify(enrol(running_intake(programme, course), enrolment.user, EnrolmentState.COMPLETED))
    assert count_queries(client, url) == few


def quiet_trainees(intake, count: int, country_code: str = "TH") -> None:
    """Trainees at risk for every reason the page can show: no activity, absent, behind on lessons."""
    session = db.session.scalar(select(IntakeSession).where(IntakeSession.intake_id == intake.id))
    for _ in range(count):
        enrolment = enrol(intake, country_code=country_code)
        if session is not None:
            db.session.add(Attendance(session=session, enrolment=enrolment, is_present=False))
    db.session.flush()


def at_risk_intake(programme, course, instructors=()):
    intake = running_intake(programme, course, mode=DeliveryMode.FACE_TO_FACE, instructors=instructors)
    intake.location = "Bangkok, Thailand"
    intake.starts_on, intake.ends_on = utcnow().date() - timedelta(days=50), utcnow().date() + timedelta(days=10)
    db.session.add(IntakeSession(intake=intake, held_on=intake.starts_on, title="Session 1"))
    db.session.flush()
    return intake


def test_the_roster_with_trainees_at_risk_is_flat_from_3_to_30_trainees(signed_in_client, programme, courses):
    instructor = make_user(Role.INSTRUCTOR)
    intake = at_risk_intake(programme, courses[0], instructors=[instructor])
    quiet_trainees(intake, 2)
    add_work(enrol(intake))
    client = signed_in_client(instructor)
    url = f"/teach/intakes/{intake.id}/roster"
    few = count_queries(client, url)
    assert "At risk" in client.get(url).get_data(as_text=True)

    quiet_trainees(intake, 25)
    for _ in range(2):
        add_work(enrol(intake))
    assert count_queries(client, url) == few


@pytest.mark.parametrize("query", ["state=active", "state=active&risk=at_risk"])
def test_the_enrolments_list_with_trainees_at_risk_is_flat_in_trainees_and_intakes(signed_in_client, programme,
                                                                                   courses, query):
    first = at_risk_intake(programme, courses[0])
    quiet_trainees(first, 2)
    add_work(enrol(first))
    client = signed_in_client(Role.PROGRAMME_COORDINATOR, country_code=None)
    url = f"/enrolments?{query}"
    few = count_queries(client, url)
    assert "At risk" in client.get(url).get_data(as_text=True)

    for course in courses[1:4]:
        intake = at_risk_intake(programme, course)
        quiet_trainees(intake, 8, country_code="VN")
        add_work(enrol(intake))
    assert count_queries(client, url) == few


def test_the_progress_page_is_flat_in_the_trainees_work(country_coordinator_client, programme, courses):
    intake = at_risk_intake(programme, courses[0])
    enrolment = enrol(intake)
    url = f"/enrolments/{enrolment.id}/progress"
    few = count_queries(country_coordinator_client, url)
    add_work(enrolment, attempts_per_quiz=3)
    quiet_trainees(intake, 10)
    assert count_queries(country_coordinator_client, url) == few
