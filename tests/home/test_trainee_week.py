"""A trainee's home says what is due next across her intakes, in her own time, with her sessions and attendance."""
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.assessments.deadlines import grant_extension
from lms.assessments.models import Attempt, Submission, SubmissionState
from lms.catalogue.models import AssessmentKind, Course
from lms.core.db import utcnow
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState
from lms.grading.models import Attendance, IntakeSession
from tests.factories import make_intake, make_programme, make_user


@pytest.fixture
def week(db_session):
    course = db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))
    intake = make_intake(make_programme(), course, mode=DeliveryMode.FACE_TO_FACE)
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=10), today + timedelta(days=20)
    intake.time_zone = "Asia/Bangkok"
    intake.attendance_threshold = 75
    trainee = make_user(full_name="Chea Sophea", country_code="KH")
    trainee.time_zone = "Asia/Jayapura"  # two hours ahead of Bangkok
    enrolment = Enrolment(intake=intake, user=trainee, state=EnrolmentState.ACTIVE)
    db_session.add(enrolment)
    quizzes = [a for a in course.assessments if a.kind is AssessmentKind.QUIZ]
    assignment = next(a for a in course.assessments if a.kind is AssessmentKind.ASSIGNMENT)
    db_session.add(Attempt(enrolment=enrolment, assessment=quizzes[0], number=1, score=80, submitted_at=utcnow()))
    db_session.add(Submission(enrolment=enrolment, assessment=assignment, state=SubmissionState.DRAFT))
    held = IntakeSession(intake=intake, held_on=today - timedelta(days=3), title="Day 1: field visit")
    coming = IntakeSession(intake=intake, held_on=today + timedelta(days=2), starts_at=time(9, 0),
                           place="NBTC training centre, room 4", title="Day 2: tendering workshop")
    later = IntakeSession(intake=intake, held_on=today + timedelta(days=9), title="Day 3")
    db_session.add_all([held, coming, later])
    db_session.flush()
    db_session.add(Attendance(session=held, enrolment=enrolment, is_present=False))
    db_session.flush()
    return {"trainee": trainee, "enrolment": enrolment, "intake": intake, "quizzes": quizzes,
            "assignment": assignment, "coming": coming}


def due_rows(page: str) -> list[str]:
    section = page.split('id="due-heading"')[1].split("</section>")[0]
    return [row for row in section.split("<tr>")[2:]]


def test_the_home_lists_work_due_in_her_zone_open_work_first(signed_in_client, week):
    client = signed_in_client(week["trainee"])
    page = client.get("/").get_data(as_text=True)
    rows = due_rows(page)
    assert len(rows) == len(week["quizzes"]) + 1
    closes = (week["intake"].ends_on + timedelta(days=1)).strftime("%-d %b %Y")  # 23:59 in Bangkok is 01:59 next day
    assert all(f"{closes}, 01:59 Jayapura time" in row for row in rows), rows[0]
    done = [row for row in rows if ">done<" in row]
    assert len(done) == 1 and week["quizzes"][0].title in done[0] and rows[-1] == done[0]  # done comes last
    assignment_row = next(row for row in rows if week["assignment"].title in row)
    assert "draft, not submitted" in assignment_row and ">done<" not in assignment_row
    assert f'/study/{week["enrolment"].id}/assignments/{week["assignment"].id}"' in assignment_row


def test_an_extension_moves_her_deadline_and_the_order(signed_in_client, db_session, week):
    quiz = week["quizzes"][-1]
    coordinator = make_user(Role.PROGRAMME_COORDINATOR, country_code=None)
    due_at = utcnow().replace(microsecond=0) + timedelta(days=25)
    grant_extension(week["enrolment"], quiz, coordinator, due_at=due_at, extra_attempts=0, reason="Flooded roads")
    db_session.flush()
    client = signed_in_client(week["trainee"])
    rows = due_rows(client.get("/").get_data(as_text=True))
    extended = next(row for row in rows if quiz.title in row)
    open_rows = [row for row in rows if ">done<" not in row]
    assert open_rows[-1] == extended  # now the latest deadline of the work still to do
    assert due_at.astimezone(ZoneInfo("Asia/Jayapura")).strftime("%-d %b %Y, %H:%M Jayapura time") in extended


def test_the_next_session_and_her_attendance(signed_in_client, week):
    client = signed_in_client(week["trainee"])
    page = client.get("/").get_data(as_text=True)
    section = page.split('id="sessions-heading"')[1].split("</section>")[0]
    assert "Next: Day 2: tendering workshop" in section and "Day 3" not in section.split("Your attendance")[0]
    coming = week["coming"].held_on.strftime("%-d %b %Y")
    assert f"{coming}, 11:00 Jayapura time" in section  # 09:00 at the venue in Bangkok
    assert "NBTC training centre, room 4" in section
    attendance = section.split("Your attendance: present at 0 of 1 sessions")[1]
    assert "Day 1: field visit" in attendance and "absent" in attendance


def test_a_place_not_started_shows_its_sessions_and_a_completed_course_nothing(signed_in_client, db_session, week):
    week["enrolment"].state = EnrolmentState.APPROVED  # work opens when the intake starts
    db_session.flush()
    client = signed_in_client(week["trainee"])
    page = client.get("/").get_data(as_text=True)
    assert 'id="due-heading"' not in page and "Next: Day 2: tendering workshop" in page
    week["enrolment"].state, week["enrolment"].completed_at = EnrolmentState.COMPLETED, utcnow()
    db_session.flush()
    page = client.get("/").get_data(as_text=True)
    assert 'id="due-heading"' not in page and 'id="sessions-heading"' not in page
