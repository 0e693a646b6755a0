"""Withdrawal frees a place for the waiting list; coordinators nominate one by one or by CSV."""
import html
import io

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Category, Role, User
from lms.audit.models import AuditEntry
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.enrolment.operations import approve_enrolment, waitlist_enrolment, withdraw_enrolment
from lms.notifications.models import OutboxMail
from tests.conftest import csrf_token, post_form
from tests.enrolment.helpers import requested, set_allocation, upcoming_intake
from tests.factories import make_programme, make_user


@pytest.fixture
def programme(db_session):
    return make_programme()


def test_withdrawal_promotes_the_waiting_list_in_order(db_session, programme):
    intake = upcoming_intake(programme, capacity=1)
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    placed, first_waiting, second_waiting = requested(intake), requested(intake, "VN"), requested(intake, "KH")
    approve_enrolment(placed, coordinator)
    waitlist_enrolment(first_waiting, coordinator, "Full")
    waitlist_enrolment(second_waiting, coordinator, "Full")
    promoted = withdraw_enrolment(placed, placed.user, "New duties")
    assert promoted == [first_waiting]
    assert first_waiting.state is EnrolmentState.APPROVED and second_waiting.state is EnrolmentState.WAITLISTED
    assert placed.state is EnrolmentState.WITHDRAWN


def test_a_promotion_is_recorded_as_done_by_the_system(db_session, programme):
    intake = upcoming_intake(programme, capacity=1)
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    placed, waiting = requested(intake), requested(intake, "VN")
    approve_enrolment(placed, coordinator)
    waitlist_enrolment(waiting, coordinator, "Full")
    withdraw_enrolment(placed, placed.user, "New duties")
    assert waiting.decided_by is None and waiting.events[-1].by is None
    approval = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "enrolment.approved",
                                                           AuditEntry.object_id == waiting.id)).one()
    assert approval.actor is None  # not the trainee whose withdrawal freed the place


def test_promotion_skips_someone_whose_country_is_full(db_session, programme):
    set_allocation(programme, "VN", 0, db_session)
    intake = upcoming_intake(programme, capacity=1)
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    placed, viet, khmer = requested(intake), requested(intake, "VN"), requested(intake, "KH")
    approve_enrolment(placed, coordinator)
    waitlist_enrolment(viet, coordinator, "Full")
    waitlist_enrolment(khmer, coordinator, "Full")
    assert withdraw_enrolment(placed, coordinator, "Left the ministry") == [khmer]
    assert viet.state is EnrolmentState.WAITLISTED


def test_a_trainee_withdraws_through_the_page(signed_in_client, db_session, programme):
    enrolment = requested(upcoming_intake(programme))
    client = signed_in_client(enrolment.user)
    assert client.get(f"/enrolments/{enrolment.id}/withdraw").status_code == 200
    response = post_form(client, f"/enrolments/{enrolment.id}/withdraw", {"reason": ""})
    assert response.status_code == 302 and enrolment.state is EnrolmentState.WITHDRAWN


def test_nobody_withdraws_someone_else(signed_in_client, programme):
    enrolment = requested(upcoming_intake(programme))
    client = signed_in_client(Role.TRAINEE)
    assert client.get(f"/enrolments/{enrolment.id}/withdraw").status_code == 404
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="VN")
    assert client.get(f"/enrolments/{enrolment.id}/withdraw").status_code == 404
    assert enrolment.state is EnrolmentState.REQUESTED


def test_a_coordinator_nominates_a_trainee_of_their_country(signed_in_client, db_session, programme):
    intake = upcoming_intake(programme)
    trainee = make_user(Role.TRAINEE, country_code="TH", email="nominee@example.org")
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    client = signed_in_client(coordinator)
    response = post_form(client, "/enrolments/nominate", {"intake": str(intake.id), "email": "Nominee@Example.org"})
    assert response.status_code == 302
    enrolment = db_session.scalars(select(Enrolment).where(Enrolment.user_id == trainee.id)).one()
    assert enrolment.state is EnrolmentState.APPROVED and enrolment.nominated_by_id == coordinator.id


def test_nominating_someone_of_another_country_is_refused_next_to_the_field(signed_in_client, programme):
    intake = upcoming_intake(programme)
    make_user(Role.TRAINEE, country_code="VN", email="viet@example.org")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = post_form(client, "/enrolments/nominate", {"intake": str(intake.id), "email": "viet@example.org"})
    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)
    response = post_form(client, "/enrolments/nominate", {"intake": "999999", "email": "viet@example.org"})
    assert "Please choose an intake from the list." in response.get_data(as_text=True)


HEADER = "email,full_name,native_name,organisation,position,category,gender\n"


def upload(client, intake, text: str):
    data = {"intake": str(intake.id), "csrf_token": csrf_token(client, "/enrolments/nominate/upload"),
            "file": (io.BytesIO(text.encode("utf-8")), "nominees.csv")}
    return client.post("/enrolments/nominate/upload", data=data, content_type="multipart/form-data")


def test_csv_nomination_places_everyone_and_creates_missing_accounts(signed_in_client, db_session, programme):
    intake = upcoming_intake(programme)
    existing = make_user(Role.TRAINEE, country_code="TH", email="known@example.org")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = upload(client, intake, HEADER
                      + "known@example.org,Known Person,,Regulator,Engineer,technician,\n"
                      + "new.one@example.org,Somchai Wongsawat,สมชาย วงศ์สวัสดิ์,Operator,CTO,high_manager,male\n")
    assert response.status_code == 302, response.get_data(as_text=True)
    new = db_session.scalar(select(User).where(User.email == "new.one@example.org"))
    assert new.country.code == "TH" and new.native_name == "สมชาย วงศ์สวัสดิ์"
    assert new.profile.category is Category.HIGH_MANAGER
    states = {e.user_id: e.state for e in db_session.scalars(select(Enrolment).where(Enrolment.intake_id == intake.id))}
    assert states == {existing.id: EnrolmentState.APPROVED, new.id: EnrolmentState.APPROVED}
    mails = db_session.scalars(select(OutboxMail).where(OutboxMail.to_address == "new.one@example.org")).all()
    assert any("/invitation/" in mail.body for mail in mails)  # to choose a password
    assert any("confirmed" in mail.subject for mail in mails)  # and the place


def test_csv_nomination_reports_every_error_by_row_and_column_and_places_nobody(signed_in_client, db_session,
                                                                                programme):
    intake = upcoming_intake(programme)
    make_user(Role.TRAINEE, country_code="VN", email="viet@example.org")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = upload(client, intake, HEADER
                      + "fine@example.org,Fine Person,,Regulator,Engineer,technician,\n"
                      + "not-an-email,Bad Mail,,Regulator,Engineer,technician,\n"
                      + "second@example.org,,,Regulator,Engineer,astronaut,unknown\n"
                      + "viet@example.org,Viet Person,,Regulator,Engineer,technician,\n"
                      + "fine@example.org,Fine Again,,Regulator,Engineer,technician,\n")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for expected in ("Row 3, column email: not a valid e-mail address",
                     "Row 4, column full_name: this value is required",
                     "Row 4, column category: must be middle_manager",
                     "Row 4, column gender: must be female, male, other or empty",
                     "Row 5, column email: this trainee is registered for another country",
                     "Row 6, column email: the same address is on row 2"):
        assert expected in page, expected
    assert db_session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.intake_id == intake.id)) == 0
    assert db_session.scalar(select(User).where(User.email == "fine@example.org")) is None


def test_csv_nomination_beyond_the_quota_is_refused_whole(signed_in_client, db_session, programme):
    set_allocation(programme, "TH", 1, db_session)
    intake = upcoming_intake(programme)
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = upload(client, intake, HEADER + "a@example.org,A Person,,Reg,Eng,technician,\n"
                      + "b@example.org,B Person,,Reg,Eng,technician,\n")
    assert response.status_code == 400
    assert "needs 2 places of the country's allocation, but 1 remain" in html.unescape(response.get_data(as_text=True))
    assert db_session.scalar(select(User).where(User.email == "a@example.org")) is None


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe not utf8", "not UTF-8"),
    ("email,full_name\n".encode(), "column organisation: this column is missing"),
    (HEADER.encode(), "no rows after the header"),
    ((HEADER.strip() + ",salary\nx@example.org,X,,O,P,technician,,1\n").encode(), "column salary: unknown column"),
])
def test_a_malformed_csv_gets_a_clear_message(signed_in_client, programme, content, message):
    intake = upcoming_intake(programme)
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    data = {"intake": str(intake.id), "csrf_token": csrf_token(client, "/enrolments/nominate/upload"),
            "file": (io.BytesIO(content), "nominees.csv")}
    response = client.post("/enrolments/nominate/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_csv_over_the_server_limit_gets_the_clear_page_too(signed_in_client, programme, app, monkeypatch):
    intake = upcoming_intake(programme)
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = upload(client, intake, HEADER + "x" * 4096)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "What you sent is too large" in page and 'href="/enrolments/nominate/upload"' in page


def test_csv_nomination_applies_the_name_rules(signed_in_client, db_session, programme):
    intake = upcoming_intake(programme)
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = upload(client, intake, HEADER
                      + "a@example.org,สมชาย วงศ์สวัสดิ์,สมชาย วงศ์สวัสดิ์,Regulator,Engineer,technician,\n"
                      + "b@example.org,Nguyễn Thị Hương,Hương 😀,Regulator,Engineer,technician,\n")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Row 2, column full_name: Please write this name in Latin letters" in page
    assert "Row 3, column native_name: A name cannot hold emoji or symbols" in page
    assert "Row 3, column full_name" not in page and "Row 2, column native_name" not in page
    assert db_session.scalar(select(User).where(User.email == "b@example.org")) is None


def test_csv_nomination_refused_on_a_later_row_keeps_no_account_or_place(signed_in_client, db_session, programme):
    """A file is placed whole: a row refused at placing undoes the accounts and places of the rows before it."""
    intake = upcoming_intake(programme)
    elsewhere = upcoming_intake(programme, course=intake.course)
    elsewhere.title = "Earlier intake of the same course"
    placed = make_user(Role.TRAINEE, country_code="TH", email="placed@example.org", full_name="Placed Elsewhere")
    db_session.add(Enrolment(intake=elsewhere, user=placed, state=EnrolmentState.APPROVED))
    db_session.flush()
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")

    response = upload(client, intake, HEADER + "new.one@example.org,New Person,,Regulator,Engineer,technician,\n"
                      + "placed@example.org,Placed Elsewhere,,Regulator,Engineer,technician,\n")

    assert response.status_code == 409
    page = html.unescape(response.get_data(as_text=True))
    assert "Row 3, column -: Placed Elsewhere already holds a place in the intake Earlier intake" in page
    assert db_session.scalar(select(User).where(User.email == "new.one@example.org")) is None
    assert db_session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.intake_id == intake.id)) == 0
    assert db_session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.to_address == "new.one@example.org")) == 0  # no invitation to an account that does not exist
