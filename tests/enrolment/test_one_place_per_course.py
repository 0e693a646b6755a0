"""One person takes one intake of a course at a time: a second place in the same course is refused."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.core.db import utcnow
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.enrolment.operations import (AlreadyInCourse, approve_enrolment, nominate, reject_enrolment,
                                      request_enrolment, waitlist_enrolment, withdraw_enrolment)
from lms.extensions import db
from tests.enrolment.helpers import requested, upcoming_intake
from tests.factories import make_programme, make_user


@pytest.fixture
def two_runs(db_session):
    """The same course in February and in October."""
    programme = make_programme()
    february = upcoming_intake(programme)
    october = upcoming_intake(programme, course=february.course)
    october.starts_on = february.starts_on + timedelta(days=240)
    october.ends_on = october.starts_on + timedelta(days=60)
    february.title, october.title = "February", "October"
    db_session.flush()
    return february, october


def test_a_trainee_placed_in_february_cannot_be_nominated_into_october(two_runs):
    february, october = two_runs
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    placed = requested(february)
    approve_enrolment(placed, coordinator)
    with pytest.raises(AlreadyInCourse, match="February"):
        nominate(coordinator, placed.user, october)
    holding = select(Enrolment.intake_id).where(Enrolment.user_id == placed.user.id,
                                                Enrolment.state == EnrolmentState.APPROVED)
    assert db.session.scalars(holding).all() == [february.id]


def test_a_second_request_for_the_same_course_is_refused_with_the_other_intake_named(two_runs):
    february, october = two_runs
    first = requested(february)
    with pytest.raises(AlreadyInCourse, match="February"):
        request_enrolment(first.user, october)


def test_approving_the_second_of_two_requests_is_refused_once_the_first_holds_a_place(two_runs, db_session):
    february, october = two_runs
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    first = requested(february)
    # A request made before this rule existed, or by a coordinator's nomination list: two open requests.
    second = Enrolment(intake=october, user=first.user)
    db_session.add(second)
    db_session.flush()
    approve_enrolment(first, coordinator)
    with pytest.raises(AlreadyInCourse):
        approve_enrolment(second, coordinator)
    assert second.state is EnrolmentState.REQUESTED


def test_a_completed_course_is_not_taken_again(two_runs):
    february, october = two_runs
    done = requested(february)
    done.state, done.completed_at = EnrolmentState.COMPLETED, utcnow()
    with pytest.raises(AlreadyInCourse, match="already completed"):
        request_enrolment(done.user, october)


@pytest.mark.parametrize("ending", ["rejected", "withdrawn"])
def test_a_rejected_or_withdrawn_trainee_may_ask_again_for_a_later_intake(two_runs, ending):
    february, october = two_runs
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    first = requested(february)
    if ending == "rejected":
        reject_enrolment(first, coordinator, "Not this time")
    else:
        withdraw_enrolment(first, first.user, "New duties")
    again = request_enrolment(first.user, october)
    assert again.state is EnrolmentState.REQUESTED
    assert approve_enrolment(again, coordinator).state is EnrolmentState.APPROVED


def test_the_waiting_list_skips_someone_who_holds_a_place_in_another_intake(two_runs, db_session):
    february, october = two_runs
    october.capacity = 1
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    placed, double, next_in_line = requested(october), requested(february, "VN"), requested(october, "KH")
    approve_enrolment(placed, coordinator)
    waiting_double = Enrolment(intake=october, user=double.user)
    db_session.add(waiting_double)
    db_session.flush()
    waitlist_enrolment(waiting_double, coordinator, "Full")
    waitlist_enrolment(next_in_line, coordinator, "Full")
    approve_enrolment(double, coordinator)  # February: now holds a place in the course
    assert withdraw_enrolment(placed, placed.user, "New duties") == [next_in_line]
    assert waiting_double.state is EnrolmentState.WAITLISTED
