"""Schemathesis generates requests from /api/v1/openapi.json and checks every answer against the document.

Bounded (a fixed number of examples per operation, derandomised) so it stays fast and repeatable in make test.
"""
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from hypothesis import HealthCheck, given, settings

from lms.accounts.models import Role
from lms.accounts.token_operations import create_token
from tests.factories import make_user
from tests.reports.helpers import small_programme

EXAMPLES = 25  # per operation and mode


@pytest.fixture
def api_schema(app, db_session, monkeypatch):
    # Verifications are limited per address; the limit has its own test, and here it would only cut the run short.
    monkeypatch.setitem(app.config, "CERTIFICATE_VERIFY_LIMIT", "10000 per minute")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def coordinator_token(db_session) -> str:
    small_programme()
    _token, secret = create_token(make_user(Role.PROGRAMME_COORDINATOR), "conformance")
    db_session.flush()
    return secret


def test_the_api_answers_as_its_document_says(api_schema, coordinator_token):
    # Each operation gets its own bounded Hypothesis run (schemathesis' pytest plugin predates pytest 9).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {operation.path for operation in operations} >= {"/courses", "/courses/{slug}", "/certificates/{serial}",
                                                            "/quota"}
    for operation in operations:
        # A serial's check symbol cannot be written as a pattern: a pattern-valid serial may still be
        # mistyped (a documented 400, serial_mistyped) or name no certificate (the credential's documented
        # 404), so "valid data is accepted" does not apply to the serial's operations.
        excluded = [positive_data_acceptance] if operation.path.startswith("/certificates/{serial}") else []
        # Requests that break the document need a parameter to break.
        has_parameters = any(True for _ in operation.iter_parameters())
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if has_parameters else (GenerationMode.POSITIVE,)
        for mode in modes:
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def answers_as_documented(case):
                case.call_and_validate(headers={"Authorization": f"Bearer {coordinator_token}"},
                                       excluded_checks=excluded)

            answers_as_documented()


@pytest.mark.parametrize("query", ["country=", "country=T", "country=THA", "country=T%00"])
def test_a_country_outside_the_documented_pattern_is_a_400(client, coordinator_token, query):
    response = client.get(f"/api/v1/quota?{query}", headers={"Authorization": f"Bearer {coordinator_token}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
