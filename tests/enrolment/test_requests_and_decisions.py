"""Asking to join, and coordinators approving, waitlisting or rejecting under the quota."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.catalogue.models import Course
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.enrolment.operations import (EnrolmentRefused, IntakeFull, QuotaFull, approve_enrolment,
                                      reject_enrolment, request_enrolment)
from lms.programme.quota import people_holding_places
from lms.notifications.models import Notification, OutboxMail
from tests.conftest import csrf_token, post_form
from tests.enrolment.helpers import holding, requested, set_allocation, upcoming_intake
from tests.factories import make_programme, make_user


@pytest.fixture
def programme(db_session):
    return make_programme()


def test_a_trainee_asks_to_join_from_the_course_page(signed_in_client, db_session, programme):
    intake = upcoming_intake(programme)
    trainee = make_user(Role.TRAINEE)
    make_user(Role.COUNTRY_COORDINATOR, country_code="TH")  # who the request goes to
    client = signed_in_client(trainee)
    page = client.get(f"/courses/{intake.course.slug}").get_data(as_text=True)
    assert "Ask to join" in page
    response = client.post(f"/intakes/{intake.id}/request", data={"csrf_token": csrf_token(client, "/")},
                           follow_redirects=True)
    assert "has been sent to your country" in response.get_data(as_text=True)
    enrolment = db_session.scalars(select(Enrolment).where(Enrolment.user_id == trainee.id)).one()
    assert enrolment.state is EnrolmentState.REQUESTED
    again = client.post(f"/intakes/{intake.id}/request", data={"csrf_token": csrf_token(client, "/")},
                        follow_redirects=True)
    assert "already asked to join" in again.get_data(as_text=True)


def test_requests_close_when_the_intake_starts(db_session, programme):
    intake = upcoming_intake(programme)
    with pytest.raises(EnrolmentRefused, match="already started"):
        request_enrolment(make_user(), intake, today=intake.starts_on + timedelta(days=1))


def test_only_trainees_ask_to_join(signed_in_client, programme):
    intake = upcoming_intake(programme)
    client = signed_in_client(Role.INSTRUCTOR)
    response = client.post(f"/intakes/{intake.id}/request", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 403


def test_approval_uses_a_place_notifies_the_trainee_and_is_audited(db_session, programme):
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    enrolment = requested(upcoming_intake(programme))
    approve_enrolment(enrolment, coordinator, "Good fit")
    assert enrolment.state is EnrolmentState.APPROVED and enrolment.decided_by is coordinator
    assert people_holding_places(programme.id, enrolment.user.country_id) == 1
    assert db_session.scalars(select(Notification).where(Notification.user_id == enrolment.user_id)).one()
    assert db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == enrolment.user.email)).one()
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "enrolment.approved")).one()
    assert entry.actor_id == coordinator.id and entry.before == {"state": "requested"}


def test_the_quota_refuses_the_person_beyond_the_allocation(db_session, programme):
    set_allocation(programme, "TH", 2, db_session)
    intake = upcoming_intake(programme)
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    first, second, third = requested(intake), requested(intake), requested(intake)
    approve_enrolment(first, coordinator)
    approve_enrolment(second, coordinator)
    with pytest.raises(QuotaFull, match="used all 2 places"):
        approve_enrolment(third, coordinator)
    assert third.state is EnrolmentState.REQUESTED
    # Other countries are not affected by Thailand's allocation.
    approve_enrolment(requested(intake, "VN"), make_user(Role.COUNTRY_COORDINATOR, country_code="VN"))


def test_a_person_counts_once_however_many_courses(db_session, programme):
    set_allocation(programme, "TH", 1, db_session)
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    first = requested(upcoming_intake(programme))
    approve_enrolment(first, coordinator)
    other_course = db_session.scalars(select(Course).where(Course.id != first.intake.course_id)).first()
    second_course = Enrolment(intake=upcoming_intake(programme, course=other_course), user=first.user)
    db_session.add(second_course)
    approve_enrolment(second_course, coordinator)
    assert people_holding_places(programme.id, first.user.country_id) == 1


def test_withdrawn_and_rejected_people_hold_no_place(db_session, programme):
    set_allocation(programme, "TH", 1, db_session)
    intake = upcoming_intake(programme)
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    gone = holding(intake)
    gone.state = EnrolmentState.WITHDRAWN
    reject_enrolment(requested(intake), coordinator, "Not eligible")
    approve_enrolment(requested(intake), coordinator)


def test_a_programme_coordinator_may_override_the_quota_with_a_reason(db_session, programme):
    set_allocation(programme, "TH", 0, db_session)
    enrolment = requested(upcoming_intake(programme))
    with pytest.raises(QuotaFull):
        approve_enrolment(enrolment, make_user(Role.PROGRAMME_COORDINATOR))
    approve_enrolment(enrolment, make_user(Role.PROGRAMME_COORDINATOR),
                      override_reason="Ministry request for the 5G task force")
    assert enrolment.quota_override_reason == "Ministry request for the 5G task force"
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "quota.override")).one()
    assert entry.reason == "Ministry request for the 5G task force"


def test_a_country_coordinator_cannot_override(db_session, programme):
    set_allocation(programme, "TH", 0, db_session)
    with pytest.raises(PermissionError):
        approve_enrolment(requested(upcoming_intake(programme)), make_user(Role.COUNTRY_COORDINATOR),
                          override_reason="Please")


def test_intake_capacity_is_enforced(db_session, programme):
    intake = upcoming_intake(programme, capacity=1)
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    approve_enrolment(requested(intake), coordinator)
    with pytest.raises(IntakeFull, match="full"):
        approve_enrolment(requested(intake, "VN"), coordinator, override_reason="capacity is not quota")


def test_no_decision_after_the_intake_has_ended(db_session, programme):
    enrolment = requested(upcoming_intake(programme))
    with pytest.raises(EnrolmentRefused, match="ended"):
        approve_enrolment(enrolment, make_user(Role.PROGRAMME_COORDINATOR),
                          today=enrolment.intake.ends_on + timedelta(days=1))


def test_waitlist_and_reject_need_a_reason_that_reaches_the_trainee(signed_in_client, db_session, programme):
    enrolment = requested(upcoming_intake(programme))
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = post_form(client, f"/enrolments/{enrolment.id}", {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Please give the trainee a reason" in response.get_data(as_text=True)
    assert enrolment.state is EnrolmentState.REQUESTED
    response = post_form(client, f"/enrolments/{enrolment.id}", {"decision": "waitlist", "reason": "Intake nearly full"})
    assert response.status_code == 302 and enrolment.state is EnrolmentState.WAITLISTED
    note = db_session.scalars(select(Notification).where(Notification.user_id == enrolment.user_id)).one()
    assert "Intake nearly full" in note.message


def test_the_decision_page_shows_the_quota_refusal_next_to_the_decision(signed_in_client, db_session, programme):
    set_allocation(programme, "TH", 0, db_session)
    enrolment = requested(upcoming_intake(programme))
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = post_form(client, f"/enrolments/{enrolment.id}", {"decision": "approve", "reason": ""})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Thailand has used all 0 places" in page and "waiting list" in page
    assert enrolment.state is EnrolmentState.REQUESTED


def test_a_country_coordinator_cannot_see_or_decide_for_another_country(signed_in_client, programme):
    enrolment = requested(upcoming_intake(programme), "VN")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    assert client.get(f"/enrolments/{enrolment.id}").status_code == 404
    assert post_form(client, f"/enrolments/{enrolment.id}", {"decision": "approve"},
                     form_url="/enrolments").status_code == 404
    assert enrolment.state is EnrolmentState.REQUESTED


def test_the_requests_list_shows_only_the_coordinators_country(signed_in_client, programme):
    intake = upcoming_intake(programme)
    requested(intake, "TH", full_name="Kanya Thai Trainee")
    requested(intake, "VN", full_name="Lan Viet Trainee")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    page = client.get("/enrolments").get_data(as_text=True)
    assert "Kanya Thai Trainee" in page and "Lan Viet Trainee" not in page
    assert client.get("/enrolments?state=nonsense").status_code == 400


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR, Role.ADMIN])
def test_other_roles_cannot_reach_decisions(signed_in_client, programme, role):
    enrolment = requested(upcoming_intake(programme))
    client = signed_in_client(role)
    assert client.get("/enrolments").status_code == 403
    assert client.get(f"/enrolments/{enrolment.id}").status_code == 403
