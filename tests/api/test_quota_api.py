"""GET /api/v1/quota: for a coordinator's session or personal API token, refused to everyone else."""
import hashlib
import re

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.accounts.token_operations import MAX_ACTIVE_TOKENS, create_token
from lms.accounts.tokens import ApiToken
from lms.audit.models import AuditEntry
from tests.conftest import post_form
from tests.factories import make_user
from tests.reports.helpers import small_programme


@pytest.fixture
def small(db_session):
    return small_programme()


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def create_token_on_profile(client, name: str = "Monthly report"):
    response = post_form(client, "/profile/tokens", {"name": name}, form_url="/profile")
    secret = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True))
    return response, secret.group(1) if secret else None


def sign_out(client):
    with client.session_transaction() as session:
        session.clear()


def error_code(response) -> str:
    assert response.is_json, response.get_data(as_text=True)[:200]
    return response.get_json()["error"]["code"]


def test_a_programme_coordinator_reads_the_programme_and_any_country_by_session(programme_coordinator_client, small):
    body = programme_coordinator_client.get("/api/v1/quota").get_json()
    assert body["country"] is None and body["summary"]["certified"] == 4 and len(body["countries"]) == 10
    body = programme_coordinator_client.get("/api/v1/quota?country=th").get_json()
    assert body["country"]["code"] == "TH" and [row["code"] for row in body["countries"]] == ["TH"]
    assert body["summary"]["certified"] == 2
    response = programme_coordinator_client.get("/api/v1/quota?country=ZZ")
    assert response.status_code == 404 and error_code(response) == "not_found"
    # not Thailand cut short: not a code at all
    assert programme_coordinator_client.get("/api/v1/quota?country=THA").status_code == 400
    assert programme_coordinator_client.get("/api/v1/quota?country=ZZ").status_code == 404


def test_a_country_coordinator_gets_their_country_and_is_refused_others(country_coordinator_client, small):
    assert country_coordinator_client.get("/api/v1/quota").get_json()["country"]["code"] == "TH"
    assert country_coordinator_client.get("/api/v1/quota?country=TH").status_code == 200
    response = country_coordinator_client.get("/api/v1/quota?country=VN")
    assert response.status_code == 403 and error_code(response) == "forbidden"


def test_anyone_else_is_refused_with_a_json_error(client, signed_in_client, small):
    response = client.get("/api/v1/quota")
    assert response.status_code == 401 and error_code(response) == "unauthorised"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for role in (Role.TRAINEE, Role.INSTRUCTOR):
        response = signed_in_client(role).get("/api/v1/quota")
        assert response.status_code == 403 and error_code(response) == "forbidden"


@pytest.mark.parametrize("header", ["Bearer lms_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "lms_abc"])
def test_a_bad_token_is_refused_even_with_a_session(programme_coordinator_client, small, header):
    response = programme_coordinator_client.get("/api/v1/quota", headers={"Authorization": header})
    assert response.status_code == 401 and error_code(response) == "unauthorised"


def test_a_coordinator_creates_a_token_on_the_profile_page_and_sees_its_secret_once(signed_in_client, small,
                                                                                    db_session):
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    client = signed_in_client(coordinator)
    assert "API tokens" in client.get("/profile").get_data(as_text=True)
    response, secret = create_token_on_profile(client, "Monthly report to the ministry")
    assert response.status_code == 201 and "no-store" in response.headers["Cache-Control"]
    assert secret and secret.startswith("lms_")
    token = db_session.scalars(select(ApiToken).where(ApiToken.user_id == coordinator.id)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest() and token.prefix == secret[:12]
    assert token.name == "Monthly report to the ministry" and token.last_used_at is None
    page = client.get("/profile").get_data(as_text=True)
    assert secret not in page and f"{token.prefix}…" in page and "Monthly report to the ministry" in page
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.created")).after == {
        "name": "Monthly report to the ministry", "prefix": token.prefix}

    sign_out(client)
    response = client.get("/api/v1/quota", headers=bearer(secret))
    assert response.status_code == 200 and response.get_json()["country"]["code"] == "TH"
    assert token.last_used_at is not None
    response = client.get("/api/v1/quota?country=VN", headers=bearer(secret))
    assert response.status_code == 403 and error_code(response) == "forbidden"


def test_a_revoked_token_no_longer_opens_the_api(programme_coordinator_client, small, db_session):
    coordinator = programme_coordinator_client.user
    _response, secret = create_token_on_profile(programme_coordinator_client)
    token = db_session.scalars(select(ApiToken).where(ApiToken.user_id == coordinator.id)).one()
    assert programme_coordinator_client.get("/api/v1/quota", headers=bearer(secret)).status_code == 200
    response = post_form(programme_coordinator_client, f"/profile/tokens/{token.id}/revoke", {}, form_url="/profile")
    assert response.status_code == 302 and token.revoked_at is not None
    assert "no longer opens the API" in programme_coordinator_client.get("/profile").get_data(as_text=True)
    sign_out(programme_coordinator_client)
    response = programme_coordinator_client.get("/api/v1/quota", headers=bearer(secret))
    assert response.status_code == 401 and error_code(response) == "unauthorised"


def test_a_token_follows_its_owner_role_and_account(client, small, db_session):
    coordinator = make_user(Role.PROGRAMME_COORDINATOR)
    _token, secret = create_token(coordinator, "script")
    assert client.get("/api/v1/quota", headers=bearer(secret)).status_code == 200
    coordinator.role = Role.INSTRUCTOR
    db_session.flush()
    assert error_code(client.get("/api/v1/quota", headers=bearer(secret))) == "forbidden"
    coordinator.role, coordinator.is_active = Role.PROGRAMME_COORDINATOR, False
    db_session.flush()
    assert error_code(client.get("/api/v1/quota", headers=bearer(secret))) == "unauthorised"


def test_only_the_owner_revokes_a_token(programme_coordinator_client, small, db_session):
    owner = make_user(Role.PROGRAMME_COORDINATOR)
    token, _secret = create_token(owner, "owner's")
    response = post_form(programme_coordinator_client, f"/profile/tokens/{token.id}/revoke", {}, form_url="/profile")
    assert response.status_code == 404 and token.revoked_at is None


def test_people_the_api_does_not_serve_get_no_tokens(trainee_client, db_session):
    assert "API tokens" not in trainee_client.get("/profile").get_data(as_text=True)
    assert trainee_client.post("/profile/tokens", data={"name": "x"}).status_code in (400, 403)
    assert db_session.scalar(select(ApiToken)) is None


def test_a_token_needs_a_name_and_there_is_a_limit(programme_coordinator_client, db_session):
    coordinator = programme_coordinator_client.user
    response, secret = create_token_on_profile(programme_coordinator_client, "")
    assert response.status_code == 400 and secret is None
    assert "Please give the token a name" in response.get_data(as_text=True)
    for number in range(MAX_ACTIVE_TOKENS):
        create_token(coordinator, f"token {number}")
    response, secret = create_token_on_profile(programme_coordinator_client, "one too many")
    assert response.status_code == 400 and secret is None
    assert f"You already have {MAX_ACTIVE_TOKENS} active tokens" in response.get_data(as_text=True)


def test_without_a_programme_the_api_says_so(programme_coordinator_client, db_session):
    response = programme_coordinator_client.get("/api/v1/quota")
    assert response.status_code == 404 and error_code(response) == "not_found"
