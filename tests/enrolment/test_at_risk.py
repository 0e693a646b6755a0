"""Trainees at risk: each rule flags at its threshold and not before, only active enrolments of started
intakes, and the roster, the coordinators' list and the progress page show each reason."""
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from lms.accounts.models import Role
from lms.assessments.models import Attempt, Extension, Submission, SubmissionState
from lms.catalogue.models import Assessment, AssessmentKind, Course
from lms.core.db import utcnow
from lms.enrolment.at_risk import INACTIVE_DAYS, RiskKind, risks_of
from lms.enrolment.models import DeliveryMode, Enrolment, EnrolmentState
from lms.extensions import db
from lms.grading.models import Attendance, IntakeSession
from lms.learning.models import LessonProgress
from tests.factories import make_intake, make_programme, make_user

BANGKOK = timezone(timedelta(hours=7))  # the programme's zone in the tests


def kinds(enrolment: Enrolment) -> set[RiskKind]:
    return {risk.kind for risk in risks_of([enrolment]).get(enrolment.id, [])}


def active(intake, **user) -> Enrolment:
    enrolment = Enrolment(intake=intake, user=make_user(**user), state=EnrolmentState.ACTIVE)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def hand_in(enrolment: Enrolment, assessment: Assessment, score: int, at: datetime) -> None:
    if assessment.kind is AssessmentKind.QUIZ:
        db.session.add(Attempt(enrolment=enrolment, assessment=assessment, number=1, score=score,
                               started_at=at, submitted_at=at))
    else:
        db.session.add(Submission(enrolment=enrolment, assessment=assessment, state=SubmissionState.RETURNED,
                                  submitted_at=at, updated_at=at, times_submitted=1, score=score))


def hand_in_everything(enrolment: Enrolment, score: int, at: datetime) -> None:
    for assessment in db.session.scalars(
            select(Assessment).where(Assessment.version_id == enrolment.intake.course_version_id)):
        hand_in(enrolment, assessment, score, at)


@pytest.fixture
def intake(db_session):
    """Online, 4 January to 26 March 2027 (the factory's), in the programme's zone (Bangkok)."""
    return make_intake(make_programme())


def test_no_activity_for_fourteen_days_flags_and_any_activity_clears_it(db_session, intake):
    enrolment = active(intake)
    lesson = intake.course.lessons[0]
    viewed_at = datetime(2027, 1, 10, 10, 0, tzinfo=timezone.utc)
    db_session.add(LessonProgress(enrolment=enrolment, lesson=lesson, last_viewed_at=viewed_at))
    db_session.flush()
    with time_machine.travel(viewed_at + timedelta(days=INACTIVE_DAYS) - timedelta(minutes=1), tick=False):
        assert RiskKind.INACTIVE not in kinds(enrolment)
    with time_machine.travel(viewed_at + timedelta(days=INACTIVE_DAYS), tick=False):
        [risk] = risks_of([enrolment])[enrolment.id]
        assert risk.kind is RiskKind.INACTIVE and risk.text == "No activity for 14 days."
    quiz = next(a for a in intake.course.assessments if a.kind is AssessmentKind.QUIZ)
    db_session.add(Attempt(enrolment=enrolment, assessment=quiz, number=1,
                           started_at=viewed_at + timedelta(days=5)))  # started, not yet submitted
    db_session.flush()
    with time_machine.travel(viewed_at + timedelta(days=INACTIVE_DAYS), tick=False):
        assert RiskKind.INACTIVE not in kinds(enrolment)


def test_someone_who_never_started_is_flagged_fourteen_days_into_the_intake(db_session, intake):
    enrolment = active(intake)
    db_session.flush()
    started = datetime(2027, 1, 4, tzinfo=BANGKOK)
    with time_machine.travel(started + timedelta(days=14) - timedelta(seconds=1), tick=False):
        assert kinds(enrolment) == set()
    with time_machine.travel(started + timedelta(days=14), tick=False):
        assert kinds(enrolment) == {RiskKind.INACTIVE}


def test_a_missed_deadline_flags_once_the_intake_has_closed_naming_what_was_not_handed_in(db_session, intake):
    enrolment = active(intake)
    assessments = [a for a in intake.course.assessments if a.version_id == intake.course_version_id]
    quiz = next(a for a in assessments if a.kind is AssessmentKind.QUIZ)
    db_session.add(Attempt(enrolment=enrolment, assessment=quiz, number=1, score=90,
                           submitted_at=datetime(2027, 3, 20, tzinfo=timezone.utc)))
    db_session.add(Submission(enrolment=enrolment, assessment=next(a for a in assessments if a.kind is AssessmentKind.ASSIGNMENT),
                              state=SubmissionState.DRAFT, text="half written"))  # a draft is not handed in
    db_session.flush()
    closes = intake.closes_at  # 26 March 23:59:59 in Bangkok
    with time_machine.travel(closes, tick=False):
        assert RiskKind.MISSED_DEADLINE not in kinds(enrolment)
    with time_machine.travel(closes + timedelta(seconds=1), tick=False):
        [missed] = [risk for risk in risks_of([enrolment])[enrolment.id] if risk.kind is RiskKind.MISSED_DEADLINE]
        missing = [a.title for a in assessments if a.id != quiz.id]
        assert missed.text == f"Deadline 2027-03-26 passed without: {', '.join(missing)}."
        assert quiz.title not in missed.text


def test_an_extended_deadline_is_missed_only_once_it_has_passed(db_session, intake):
    enrolment = active(intake)
    assessments = [a for a in intake.course.assessments if a.version_id == intake.course_version_id]
    late_one = next(a for a in assessments if a.kind is AssessmentKind.QUIZ)
    for assessment in assessments:
        if assessment is not late_one:
            hand_in(enrolment, assessment, 90, datetime(2027, 3, 20, tzinfo=timezone.utc))
    extended_to = intake.closes_at + timedelta(days=2)
    db_session.add(Extension(enrolment=enrolment, assessment=late_one, due_at=extended_to, reason="Flooded road"))
    db_session.flush()
    with time_machine.travel(intake.closes_at + timedelta(days=1), tick=False):
        assert RiskKind.MISSED_DEADLINE not in kinds(enrolment)
    with time_machine.travel(extended_to + timedelta(seconds=1), tick=False):
        [missed] = [risk for risk in risks_of([enrolment])[enrolment.id] if risk.kind is RiskKind.MISSED_DEADLINE]
        assert late_one.title in missed.text


def test_handing_everything_in_means_no_missed_deadline(db_session, intake):
    enrolment = active(intake)
    hand_in_everything(enrolment, 90, datetime(2027, 3, 20, tzinfo=timezone.utc))
    db_session.flush()
    with time_machine.travel(intake.closes_at + timedelta(days=1), tick=False):
        assert RiskKind.MISSED_DEADLINE not in kinds(enrolment)


def test_attendance_under_the_threshold_flags_and_at_it_does_not(db_session):
    intake = make_intake(make_programme(), mode=DeliveryMode.FACE_TO_FACE)
    intake.attendance_threshold = 75
    trainee = active(intake)
    db_session.flush()
    with time_machine.travel(datetime(2027, 1, 20, tzinfo=BANGKOK), tick=False):
        assert RiskKind.ATTENDANCE not in kinds(trainee)  # no session held yet: nothing to be under
    sessions = [IntakeSession(intake=intake, held_on=date(2027, 1, 4 + day), title=f"Day {day + 1}") for day in range(4)]
    db_session.add_all(sessions)
    db_session.flush()
    marks = [Attendance(session=session, enrolment=trainee, is_present=present)
             for session, present in zip(sessions, (True, True, True, False))]
    db_session.add_all(marks)
    db_session.flush()
    with time_machine.travel(datetime(2027, 1, 20, tzinfo=BANGKOK), tick=False):
        assert RiskKind.ATTENDANCE not in kinds(trainee)  # 75%: the threshold is met
        marks[2].is_present = False
        db_session.flush()
        [risk] = [risk for risk in risks_of([trainee])[trainee.id] if risk.kind is RiskKind.ATTENDANCE]
        assert risk.text == "Attendance 50% is below the 75% the intake requires."


def test_online_intakes_take_no_attendance(db_session, intake):
    intake.attendance_threshold = 80
    trainee = active(intake)
    db_session.add(IntakeSession(intake=intake, held_on=date(2027, 1, 5), title="Webinar"))
    db_session.flush()
    with time_machine.travel(datetime(2027, 1, 20, tzinfo=BANGKOK), tick=False):
        assert RiskKind.ATTENDANCE not in kinds(trainee)


def test_a_grade_below_the_pass_mark_counts_with_less_than_a_third_of_the_intake_left(db_session, intake):
    intake.starts_on, intake.ends_on = date(2027, 1, 1), date(2027, 1, 30)  # 30 days
    behind, ahead = active(intake), active(intake)
    hand_in_everything(behind, 10, datetime(2027, 1, 15, tzinfo=timezone.utc))
    hand_in_everything(ahead, 100, datetime(2027, 1, 15, tzinfo=timezone.utc))
    db_session.flush()
    with time_machine.travel(datetime(2027, 1, 21, 23, 59, tzinfo=BANGKOK), tick=False):  # 10 of 30 days left
        assert RiskKind.GRADE not in kinds(behind)
    with time_machine.travel(datetime(2027, 1, 22, 0, 1, tzinfo=BANGKOK), tick=False):  # 9 of 30 left
        [risk] = [risk for risk in risks_of([behind])[behind.id] if risk.kind is RiskKind.GRADE]
        assert risk.text.startswith("Grade so far 10% is below the pass mark of")
        assert RiskKind.GRADE not in kinds(ahead)


def test_only_active_enrolments_of_started_intakes_are_flagged(db_session, intake):
    users = {state: make_user() for state in EnrolmentState}
    people = {state: Enrolment(intake=intake, user=users[state], state=state) for state in EnrolmentState}
    people[EnrolmentState.COMPLETED].completed_at = utcnow()
    db_session.add_all(people.values())
    db_session.flush()
    with time_machine.travel(datetime(2027, 1, 3, 12, tzinfo=BANGKOK), tick=False):  # the day before it starts
        assert risks_of(list(people.values())) == {}
    with time_machine.travel(intake.closes_at + timedelta(days=5), tick=False):  # ended, nobody did anything
        flagged = risks_of(list(people.values()))
    assert set(flagged) == {people[EnrolmentState.ACTIVE].id}


@pytest.fixture
def running(db_session):
    """A face-to-face intake two-thirds through, taught by one instructor, with a trainee at risk and one not.

    The clock stands at a morning in UTC that is the same day in the programme's zone, so the days counted
    are the same whatever the hour the suite runs."""
    with time_machine.travel(datetime(2027, 3, 10, 3, 0, tzinfo=timezone.utc), tick=False):
        yield _running(db_session)


def _running(db_session):
    course = db_session.scalar(select(Course).where(Course.slug == "universal-service-rural-remote"))
    instructor = make_user(Role.INSTRUCTOR, country_code=None)
    intake = make_intake(make_programme(), course, mode=DeliveryMode.FACE_TO_FACE, instructors=[instructor])
    today = utcnow().date()
    intake.starts_on, intake.ends_on = today - timedelta(days=45), today + timedelta(days=15)
    intake.attendance_threshold = 75
    quiet = active(intake, full_name="Quiet Trainee", country_code="KH")
    busy = active(intake, full_name="Busy Trainee", country_code="KH")
    hand_in_everything(busy, 100, utcnow() - timedelta(days=1))
    db_session.add_all(LessonProgress(enrolment=busy, lesson=lesson, completed_at=utcnow())
                       for lesson in intake.version.lessons if lesson.is_required)
    session = IntakeSession(intake=intake, held_on=intake.starts_on, title="Day 1")
    db_session.add(session)
    db_session.flush()
    db_session.add_all([Attendance(session=session, enrolment=quiet, is_present=False),
                        Attendance(session=session, enrolment=busy, is_present=True)])
    db_session.flush()
    return instructor, intake, quiet, busy


def test_the_roster_shows_each_reason_and_the_rules_in_words(signed_in_client, running):
    instructor, intake, quiet, busy = running
    client = signed_in_client(instructor)
    page = client.get(f"/teach/intakes/{intake.id}/roster").get_data(as_text=True)
    assert "1 at risk" in page
    assert "No activity for 45 days." in page
    assert "Attendance 0% is below the 75% the intake requires." in page
    assert "Grade so far 0% is below the pass mark of" in page
    assert "When a trainee is flagged at risk" in page and "for 14 days" in page
    busy_row = page[page.index("Busy Trainee"):]
    assert "At risk" not in busy_row[:busy_row.index("</tr>")]


def test_the_coordinators_list_shows_the_reasons_and_filters_those_at_risk(signed_in_client, db_session, running):
    _instructor, intake, quiet, busy = running
    elsewhere = active(intake, full_name="Thai Quiet Trainee", country_code="TH")
    db_session.flush()
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="KH")
    page = client.get("/enrolments?state=active").get_data(as_text=True)
    assert "Quiet Trainee" in page and "Busy Trainee" in page and "No activity for 45 days." in page
    page = client.get("/enrolments?state=active&risk=at_risk").get_data(as_text=True)
    assert "Quiet Trainee" in page and "Busy Trainee" not in page
    assert "Thai Quiet Trainee" not in page  # another country's, though at risk too
    assert client.get("/enrolments?state=active&risk=maybe").status_code == 400

    client = signed_in_client(Role.PROGRAMME_COORDINATOR, country_code=None)
    page = client.get("/enrolments?state=&risk=at_risk").get_data(as_text=True)
    assert "Quiet Trainee" in page and "Thai Quiet Trainee" in page and "Busy Trainee" not in page
    assert elsewhere.id


def test_the_progress_page_names_each_reason(signed_in_client, running):
    _instructor, _intake, quiet, busy = running
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="KH")
    page = client.get(f"/enrolments/{quiet.id}/progress").get_data(as_text=True)
    assert "Worth a word with the trainee" in page and "No activity for 45 days." in page
    assert "Attendance 0% is below the 75%" in page
    page = client.get(f"/enrolments/{busy.id}/progress").get_data(as_text=True)
    assert "Worth a word with the trainee" not in page


def test_behind_on_lessons_counts_from_half_the_intake(db_session, intake):
    intake.starts_on, intake.ends_on = date(2027, 1, 1), date(2027, 1, 30)  # 30 days
    enrolment = active(intake)
    db_session.flush()
    with time_machine.travel(datetime(2027, 1, 15, 12, tzinfo=BANGKOK), tick=False):  # 14 of 30 days gone
        assert RiskKind.LESSONS not in kinds(enrolment)
    with time_machine.travel(datetime(2027, 1, 16, 12, tzinfo=BANGKOK), tick=False):  # half gone, none done
        assert RiskKind.LESSONS in kinds(enrolment)


def test_the_country_dashboard_leads_to_those_at_risk(signed_in_client, running):
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="KH")
    page = client.get("/reports/quota").get_data(as_text=True)
    assert '<a href="/enrolments?state=active&amp;risk=at_risk">Trainees at risk now, and why</a>' in page
    page = client.get("/enrolments?state=active&risk=at_risk").get_data(as_text=True)
    assert "Quiet Trainee" in page and "Busy Trainee" not in page
