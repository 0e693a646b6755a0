"""Rules the database itself keeps, and the enrolment state machine."""
import pytest
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, User
from lms.enrolment.models import Enrolment, EnrolmentState, InvalidTransition
from lms.programme.operations import AllocationError, create_programme
from tests.factories import country, make_intake, make_user


def test_a_country_coordinator_without_a_country_is_refused_by_the_database(db_session):
    db_session.add(User(email="cc@example.org", password_hash="x", role=Role.COUNTRY_COORDINATOR, full_name="CC"))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_the_same_person_cannot_enrol_twice_in_one_intake(db_session):
    intake, user = make_intake(), make_user()
    db_session.add_all([Enrolment(intake=intake, user=user), Enrolment(intake=intake, user=user)])
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_foreign_keys_are_enforced(db_session):
    db_session.add(Enrolment(intake_id=999999, user_id=999999))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_a_face_to_face_intake_needs_a_location(db_session):
    intake = make_intake()
    intake.mode = intake.mode.FACE_TO_FACE
    intake.location = None
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_enrolment_states_follow_the_allowed_paths_and_keep_history(db_session):
    coordinator = make_user(Role.COUNTRY_COORDINATOR)
    enrolment = Enrolment(intake=make_intake(), user=make_user())
    db_session.add(enrolment)
    enrolment.move_to(EnrolmentState.APPROVED, by=coordinator, reason="Fits the role")
    assert enrolment.decided_by is coordinator and enrolment.decision_reason == "Fits the role"
    with pytest.raises(InvalidTransition):
        enrolment.move_to(EnrolmentState.COMPLETED, by=coordinator)
    enrolment.move_to(EnrolmentState.ACTIVE, by=enrolment.user)
    enrolment.move_to(EnrolmentState.COMPLETED, by=None)
    assert enrolment.completed_at is not None
    assert [(e.from_state, e.to_state) for e in enrolment.events] == [
        (EnrolmentState.REQUESTED, EnrolmentState.APPROVED),
        (EnrolmentState.APPROVED, EnrolmentState.ACTIVE),
        (EnrolmentState.ACTIVE, EnrolmentState.COMPLETED),
    ]
    db_session.flush()


def test_allocations_never_sum_above_the_target(db_session):
    from datetime import date

    with pytest.raises(AllocationError):
        create_programme(title="P", title_zh="P", target=10, starts_on=date(2025, 1, 1), ends_on=date(2029, 12, 31),
                         allocations={country("TH"): 6, country("VN"): 5})
