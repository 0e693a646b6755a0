"""The weekly digest of trainees at risk: on Monday morning in the programme's zone, once a week, to each
instructor (their intakes' trainees), each country coordinator (their country's) and the programme
coordinators (a count by country); nobody is told when nobody is at risk, nor who switched it off."""
from datetime import datetime, timedelta, timezone

import pytest

from lms.accounts.models import Role
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.learning.models import LessonProgress
from lms.notifications.models import NoticeKind
from lms.notifications.operations import set_wanted
from tests.factories import make_intake, make_programme, make_user
from tests.notifications.test_reminders import notices, run_at

BANGKOK = timezone(timedelta(hours=7))
MONDAY = datetime(2027, 2, 1, 7, 5, tzinfo=BANGKOK)  # four weeks into the factory's intakes


def enrol(intake, name: str, code: str, state=EnrolmentState.ACTIVE, viewed_at=None):
    user = make_user(full_name=name, country_code=code)
    enrolment = Enrolment(intake=intake, user=user, state=state)
    if state is EnrolmentState.COMPLETED:
        enrolment.completed_at = viewed_at or MONDAY
    from lms.extensions import db
    db.session.add(enrolment)
    if viewed_at:
        db.session.add(LessonProgress(enrolment=enrolment, lesson=intake.course.lessons[0], last_viewed_at=viewed_at))
    db.session.flush()
    return enrolment


@pytest.fixture
def people(db_session):
    programme = make_programme()
    teaching_risky, teaching_fine = make_user(Role.INSTRUCTOR), make_user(Role.INSTRUCTOR)
    risky = make_intake(programme, instructors=[teaching_risky])
    risky.title = "Risky intake"
    fine = make_intake(programme, instructors=[teaching_fine])
    fine.title = "Fine intake"
    enrol(risky, "Somchai Quiet", "TH")
    enrol(risky, "Nguyen Quiet", "VN")
    enrol(risky, "Withdrawn Quiet", "TH", state=EnrolmentState.WITHDRAWN)
    enrol(fine, "Siriporn Busy", "TH", viewed_at=MONDAY - timedelta(days=2))
    staff = {
        "teaching_risky": teaching_risky, "teaching_fine": teaching_fine,
        "th": make_user(Role.COUNTRY_COORDINATOR, country_code="TH"),
        "vn": make_user(Role.COUNTRY_COORDINATOR, country_code="VN"),
        "id": make_user(Role.COUNTRY_COORDINATOR, country_code="ID"),
        "programme": make_user(Role.PROGRAMME_COORDINATOR, country_code=None),
    }
    db_session.commit()
    return staff


def test_each_person_hears_of_their_own_trainees_once_a_week_from_monday_morning(db_session, people):
    run_at(MONDAY - timedelta(days=5))  # a Wednesday: the digest waits for Monday
    run_at(MONDAY.replace(hour=6))  # too early on Monday
    assert notices(db_session, people["th"]) == [] and notices(db_session, people["teaching_risky"]) == []
    run_at(MONDAY)
    run_at(MONDAY + timedelta(hours=5))  # the hourly job again: nothing twice
    [instructor] = notices(db_session, people["teaching_risky"])
    assert "Somchai Quiet" in instructor and "Nguyen Quiet" in instructor and "No activity for" in instructor
    assert "Withdrawn Quiet" not in instructor and "Siriporn Busy" not in instructor
    assert notices(db_session, people["teaching_fine"]) == []  # nobody of theirs at risk
    [thai] = notices(db_session, people["th"])
    assert "Somchai Quiet" in thai and "Nguyen Quiet" not in thai
    [viet] = notices(db_session, people["vn"])
    assert "Nguyen Quiet" in viet and "Somchai Quiet" not in viet
    assert notices(db_session, people["id"]) == []
    [summary] = notices(db_session, people["programme"])
    assert "- Thailand: 1" in summary and "- Viet Nam: 1" in summary and "Quiet" not in summary

    run_at(MONDAY + timedelta(days=3))  # later in the same week
    assert len(notices(db_session, people["th"])) == 1
    run_at(MONDAY + timedelta(days=7))  # the next Monday
    assert len(notices(db_session, people["th"])) == 2


def test_a_digest_switched_off_on_the_profile_is_not_sent(db_session, people):
    set_wanted(people["th"], {NoticeKind.NEW_REQUEST})
    db_session.commit()
    run_at(MONDAY)
    assert notices(db_session, people["th"]) == []
    assert len(notices(db_session, people["vn"])) == 1


def test_nothing_is_sent_when_nobody_is_at_risk(db_session):
    instructor, coordinator = make_user(Role.INSTRUCTOR), make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    intake = make_intake(make_programme(), instructors=[instructor])
    enrol(intake, "Siriporn Busy", "TH", viewed_at=MONDAY - timedelta(days=1))
    enrol(intake, "Done Already", "TH", state=EnrolmentState.COMPLETED)
    db_session.commit()
    run_at(MONDAY)
    assert notices(db_session, instructor) == [] and notices(db_session, coordinator) == []
