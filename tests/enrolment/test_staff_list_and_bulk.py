"""The coordinators' list of enrolments (search, filters, sort, paging) and deciding several at once."""
import html
import re

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.enrolment.models import Enrolment, EnrolmentState
from lms.notifications.models import OutboxMail
from lms.programme.quota import people_holding_places
from tests.conftest import csrf_token
from tests.enrolment.helpers import holding, requested, set_allocation, upcoming_intake
from tests.factories import make_programme, make_user


@pytest.fixture
def programme(db_session):
    return make_programme()


def names_on(page: str) -> list[str]:
    return re.findall(r'data-label="Trainee"><a [^>]*>([^<]+)</a>', page)


def test_the_list_searches_filters_and_sorts_and_links_keep_the_query(signed_in_client, programme):
    first, second = upcoming_intake(programme), upcoming_intake(programme)
    second.title = "Second intake"
    requested(first, "TH", full_name="Somchai Kittisak")
    requested(second, "VN", full_name="Nguyen Van An")
    requested(second, "TH", full_name="Anong Chaiyaporn")
    client = signed_in_client(Role.PROGRAMME_COORDINATOR, country_code=None)

    page = client.get("/enrolments").get_data(as_text=True)
    assert names_on(page) == ["Somchai Kittisak", "Nguyen Van An", "Anong Chaiyaporn"]  # oldest request first
    assert "3 rows" in page

    by_name = client.get("/enrolments?sort=name").get_data(as_text=True)
    assert names_on(by_name) == ["Anong Chaiyaporn", "Nguyen Van An", "Somchai Kittisak"]
    assert names_on(client.get("/enrolments?sort=-name").get_data(as_text=True))[0] == "Somchai Kittisak"

    filtered = client.get(f"/enrolments?intake={second.id}&sort=name").get_data(as_text=True)
    assert names_on(filtered) == ["Anong Chaiyaporn", "Nguyen Van An"]
    # The column headings keep the filter (and the state it defaults to) in their links.
    assert f'intake={second.id}' in re.search(r'href="([^"]*)" class="sort">Country', filtered).group(1)

    searched = client.get("/enrolments?q=NGUYEN").get_data(as_text=True)
    assert names_on(searched) == ["Nguyen Van An"] and "(filtered)" in searched
    assert client.get("/enrolments?intake=999999").status_code == 400


def test_every_status_and_paging(app, signed_in_client, programme, monkeypatch):
    intake = upcoming_intake(programme)
    for number in range(7):
        requested(intake, "TH", full_name=f"Trainee {number:02d}")
    holding(intake, "TH")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    monkeypatch.setitem(app.config, "LIST_PAGE_SIZE", 3)
    page = client.get("/enrolments?sort=name").get_data(as_text=True)
    assert names_on(page) == ["Trainee 00", "Trainee 01", "Trainee 02"] and "1–3 of 7" in page
    third = client.get("/enrolments?sort=name&page=3").get_data(as_text=True)
    assert names_on(third) == ["Trainee 06"]
    assert "Page 3 of 3" in third
    every = client.get("/enrolments?state=&sort=name").get_data(as_text=True)
    assert "1–3 of 8" in every


def bulk_post(client, ids, decision, reason="", next_query="state=requested"):
    return client.post("/enrolments/decide", data={
        "enrolment": [str(i) for i in ids], "decision": decision, "reason": reason, "next": next_query,
        "csrf_token": csrf_token(client, "/enrolments")}, follow_redirects=True)


def test_a_coordinator_approves_ten_requests_at_once(signed_in_client, db_session, programme):
    intake = upcoming_intake(programme, capacity=20)
    intake.title = "Universal Service, February 2027 intake"
    enrolments = [requested(intake, "TH", full_name=f"Chea Sophea {n}") for n in range(10)]
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = bulk_post(client, [e.id for e in enrolments], "approve", next_query="state=requested&sort=name")
    page = response.get_data(as_text=True)
    assert "Approved Chea Sophea 0 for Universal Service, February 2027 intake" in page
    assert all(e.state is EnrolmentState.APPROVED for e in enrolments)
    assert people_holding_places(programme.id, enrolments[0].user.country_id) == 10
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "enrolment.approved")) == 10
    assert response.request.args.get("sort") == "name"  # back to the list as it was


def test_a_selection_beyond_the_quota_changes_nothing(signed_in_client, db_session, programme):
    set_allocation(programme, "TH", 3, db_session)
    intake = upcoming_intake(programme)
    holding(intake, "TH")
    enrolments = [requested(intake, "TH", full_name=f"Person {n}") for n in range(3)]
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    mails_before = db_session.scalar(select(func.count()).select_from(OutboxMail))
    page = bulk_post(client, [e.id for e in enrolments], "approve").get_data(as_text=True)
    assert "needs 3 places of Thailand&#39;s allocation, but 2 remain" in page
    assert all(e.state is EnrolmentState.REQUESTED for e in enrolments)
    assert db_session.scalar(select(func.count()).select_from(OutboxMail)) == mails_before


def test_a_selection_beyond_the_intake_capacity_changes_nothing(signed_in_client, programme):
    intake = upcoming_intake(programme, capacity=2)
    enrolments = [requested(intake, "TH", full_name=f"Person {n}") for n in range(3)]
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    page = bulk_post(client, [e.id for e in enrolments], "approve").get_data(as_text=True)
    assert "has 2 free places, but 3 people are selected" in page
    assert all(e.state is EnrolmentState.REQUESTED for e in enrolments)


def test_waitlisting_and_rejecting_many_need_one_reason(signed_in_client, programme):
    intake = upcoming_intake(programme)
    enrolments = [requested(intake, "TH", full_name=f"Person {n}") for n in range(3)]
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    page = bulk_post(client, [e.id for e in enrolments], "reject").get_data(as_text=True)
    assert "Please give the trainee a reason" in page
    assert all(e.state is EnrolmentState.REQUESTED for e in enrolments)
    page = bulk_post(client, [e.id for e in enrolments[:2]], "waitlist", "The intake is popular").get_data(as_text=True)
    assert "Put Person 0 on the waiting list of" in page
    assert [e.state for e in enrolments] == [EnrolmentState.WAITLISTED] * 2 + [EnrolmentState.REQUESTED]
    assert enrolments[0].decision_reason == "The intake is popular"


def test_a_coordinator_cannot_decide_another_countrys_requests_in_a_selection(signed_in_client, programme):
    intake = upcoming_intake(programme)
    own, other = requested(intake, "TH"), requested(intake, "VN")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    response = client.post("/enrolments/decide", data={
        "enrolment": [str(own.id), str(other.id)], "decision": "approve",
        "csrf_token": csrf_token(client, "/enrolments")})
    assert response.status_code == 404
    assert own.state is EnrolmentState.REQUESTED and other.state is EnrolmentState.REQUESTED


def test_the_programme_coordinator_is_warned_of_countries_without_a_coordinator(signed_in_client, programme):
    make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    client = signed_in_client(Role.PROGRAMME_COORDINATOR, country_code=None)
    page = client.get("/enrolments").get_data(as_text=True)
    warning = re.search(r'class="warning">([^<]+)<', page).group(1)
    assert "Viet Nam" in warning and "Thailand" not in warning


def test_a_selection_refused_part_way_through_keeps_none_of_it(signed_in_client, db_session, programme):
    """The selection is decided whole: one person refused after others were approved undoes their approvals."""
    intake = upcoming_intake(programme)
    elsewhere = upcoming_intake(programme, course=intake.course)
    elsewhere.title = "Earlier intake of the same course"
    first = requested(intake, "TH", full_name="Waited Longest")
    later = requested(intake, "TH", full_name="Placed Elsewhere")
    db_session.add(Enrolment(intake=elsewhere, user=later.user, state=EnrolmentState.APPROVED))
    db_session.flush()
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")

    page = html.unescape(bulk_post(client, [first.id, later.id], "approve").get_data(as_text=True))

    assert "Placed Elsewhere: Placed Elsewhere already holds a place in the intake Earlier intake" in page
    assert "Nothing was changed." in page and "Approved Waited Longest" not in page
    assert first.state is EnrolmentState.REQUESTED and later.state is EnrolmentState.REQUESTED
    assert db_session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "enrolment.approved")) == 0
    assert db_session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.to_address == first.user.email)) == 0  # nobody was told of a place they do not have
