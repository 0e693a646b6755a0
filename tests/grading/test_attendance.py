"""Attendance at face-to-face sessions, and completion once every condition, attendance included, is met."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import AssessmentKind, Course
from lms.core.db import utcnow
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.models import Attendance, IntakeSession
from lms.learning.models import LessonProgress
from tests.queries import counted_queries, selects
from tests.conftest import csrf_token, sign_in
from tests.factories import make_intake, make_programme, make_user


@pytest.fixture
def course(db_session) -> Course:
    return db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))


@pytest.fixture
def intake(course):
    intake = make_intake(make_programme(), course, mode=DeliveryMode.FACE_TO_FACE,
                         instructors=[make_user(Role.INSTRUCTOR)])
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=20), today + timedelta(days=20)
    intake.attendance_threshold = 75
    db.session.flush()
    return intake


def ready_to_complete(intake, name: str) -> Enrolment:
    """An active enrolment with every required lesson done and a weighted grade of 100."""
    enrolment = Enrolment(intake=intake, user=make_user(full_name=name), state=EnrolmentState.ACTIVE)
    db.session.add(enrolment)
    course = intake.course
    for lesson in course.lessons:
        db.session.add(LessonProgress(enrolment=enrolment, lesson=lesson, completed_at=utcnow()))
    for assessment in course.assessments:
        if assessment.kind is AssessmentKind.QUIZ:
            db.session.add(Attempt(enrolment=enrolment, assessment=assessment, number=1, score=100,
                                   submitted_at=utcnow()))
        else:
            db.session.add(Submission(enrolment=enrolment, assessment=assessment, state=SubmissionState.RETURNED,
                                      submitted_at=utcnow(), times_submitted=1, score=100, feedback="Fine"))
    db.session.flush()
    return enrolment


def url_of(intake) -> str:
    return f"/teach/intakes/{intake.id}/attendance"


def add_session(client, intake, present: list[Enrolment], held_on=None, title="Day 1: site visit"):
    held_on = held_on or intake.starts_on + timedelta(days=1)
    return client.post(url_of(intake), data={
        "session": "new", "new-csrf_token": csrf_token(client, url_of(intake)), "new-held_on": held_on.isoformat(),
        "new-title": title, "new-present": [str(enrolment.id) for enrolment in present]})


def update_session(client, intake, session: IntakeSession, present: list[Enrolment]):
    prefix = f"session-{session.id}"
    return client.post(url_of(intake), data={
        "session": str(session.id), f"{prefix}-csrf_token": csrf_token(client, url_of(intake)),
        f"{prefix}-present": [str(enrolment.id) for enrolment in present]})


def sessions_of(intake) -> list[IntakeSession]:
    return list(db.session.scalars(select(IntakeSession).where(IntakeSession.intake_id == intake.id)
                                   .order_by(IntakeSession.id)))


def test_the_page_lists_trainees_with_a_checkbox_each(client, intake):
    ready_to_complete(intake, "Chanthou Keo")
    sign_in(client, intake.instructors[0])
    page = client.get(url_of(intake)).get_data(as_text=True)
    assert "Chanthou Keo" in page and 'type="checkbox"' in page
    assert "at least 75% of the sessions" in page


def test_attendance_at_the_threshold_completes_and_below_it_does_not(client, intake):
    present_all = ready_to_complete(intake, "Present Pich")
    missed_one = ready_to_complete(intake, "Missing Malee")
    sign_in(client, intake.instructors[0])

    assert add_session(client, intake, [present_all], title="Day 1").status_code == 302
    [day_one] = sessions_of(intake)
    assert {(row.enrolment_id, row.is_present) for row in day_one.attendance} == {
        (present_all.id, True), (missed_one.id, False)}
    # One session, attended: 100% for one, 0% for the other.
    assert present_all.state is EnrolmentState.COMPLETED
    assert present_all.completed_at is not None and present_all.final_grade == 100
    assert missed_one.state is EnrolmentState.ACTIVE

    for day in (2, 3, 4):
        add_session(client, intake, [missed_one], held_on=intake.starts_on + timedelta(days=day), title=f"Day {day}")
    # Three of four sessions: exactly the 75% threshold.
    assert missed_one.state is EnrolmentState.COMPLETED and missed_one.final_grade == 100


def test_below_the_threshold_an_enrolment_stays_active(client, intake):
    enrolment = ready_to_complete(intake, "Sometimes Sok")
    sign_in(client, intake.instructors[0])
    add_session(client, intake, [], title="Day 1")
    add_session(client, intake, [enrolment], held_on=intake.starts_on + timedelta(days=2), title="Day 2")
    assert enrolment.state is EnrolmentState.ACTIVE  # 1 of 2 sessions: 50%
    assert enrolment.completed_at is None and enrolment.final_grade is None


def test_correcting_a_session_records_the_change_and_completes(client, intake):
    enrolment = ready_to_complete(intake, "Late Lin")
    sign_in(client, intake.instructors[0])
    add_session(client, intake, [])
    [session] = sessions_of(intake)
    assert enrolment.state is EnrolmentState.ACTIVE
    page = client.get(url_of(intake)).get_data(as_text=True)
    assert f'name="session" value="{session.id}"' in page
    assert update_session(client, intake, session, [enrolment]).status_code == 302
    assert db.session.scalar(select(Attendance.is_present).where(Attendance.session_id == session.id)) is True
    assert enrolment.state is EnrolmentState.COMPLETED


def test_a_session_date_outside_the_intake_is_refused(client, intake):
    ready_to_complete(intake, "Someone")
    sign_in(client, intake.instructors[0])
    response = add_session(client, intake, [], held_on=intake.ends_on + timedelta(days=1), title="After the end")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a date within the intake" in page and "After the end" in page
    assert sessions_of(intake) == []


def test_a_session_needs_a_title(client, intake):
    sign_in(client, intake.instructors[0])
    response = add_session(client, intake, [], title="")
    assert response.status_code == 400
    assert "Please give the session a title." in response.get_data(as_text=True)


def test_someone_outside_the_roster_cannot_be_marked_present(client, intake):
    sign_in(client, intake.instructors[0])
    stranger = Enrolment(intake=make_intake(intake.programme, intake.course), user=make_user(),
                         state=EnrolmentState.ACTIVE)
    db.session.add(stranger)
    db.session.flush()
    assert add_session(client, intake, [stranger]).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_online_intakes_take_no_attendance(client, course):
    online = make_intake(make_programme(), course, instructors=[make_user(Role.INSTRUCTOR)])
    sign_in(client, online.instructors[0])
    response = client.get(url_of(online))
    assert response.status_code == 404
    assert "taught online" in response.get_data(as_text=True)


def test_only_the_intakes_instructors_record_attendance(client, intake, app):
    enrolment = ready_to_complete(intake, "Guarded Gan")
    sign_in(client, make_user(Role.INSTRUCTOR))
    assert client.get(url_of(intake)).status_code == 404
    coordinator = app.test_client()
    sign_in(coordinator, make_user(Role.PROGRAMME_COORDINATOR))
    page = coordinator.get(url_of(intake)).get_data(as_text=True)
    assert "Add a session" not in page
    assert add_session(coordinator, intake, [enrolment]).status_code == 403
    trainee = app.test_client()
    sign_in(trainee, enrolment.user)
    assert trainee.get(url_of(intake)).status_code == 403
    assert sessions_of(intake) == []


def test_saving_attendance_runs_as_many_queries_for_a_large_class_as_for_a_small_one(client, intake):

    def statements_of_saving(trainees: int) -> int:
        people = [make_user(full_name=f"T{n}") for n in range(trainees)]
        enrolments = [Enrolment(intake=intake, user=person, state=EnrolmentState.ACTIVE) for person in people]
        db.session.add_all(enrolments)
        db.session.flush()
        url = url_of(intake)
        token = csrf_token(client, url)
        data = {"session": "new", "new-csrf_token": token, "new-title": f"Day {trainees}",
                "new-held_on": (intake.starts_on + timedelta(days=trainees)).isoformat(),
                "new-present": [str(e.id) for e in enrolments]}
        with counted_queries() as statements:
            assert client.post(url, data=data).status_code == 302
        return len(selects(statements))

    sign_in(client, intake.instructors[0])
    statements_of_saving(1)  # so that both measured saves find earlier sessions on the page
    assert statements_of_saving(3) == statements_of_saving(9)
