"""A database that cannot answer: every page is the app's own 503 "temporarily unavailable" page with
Retry-After, rendered without the database, a posted form comes back filled in, each failure logged once."""
import logging
import time

import pytest
from sqlalchemy import create_engine, text

from config import TestConfig, _database_url
from lms import create_app
from lms.core.db import postgresql_engine_options
from lms.core.outage import OUTAGE_ERRORS
from lms.extensions import db

PG_URL = _database_url("", "TEST_DATABASE_URL")
on_postgresql = [pytest.mark.postgresql, pytest.mark.skipif(
    not PG_URL.startswith("postgresql"), reason="PostgreSQL only: run with TEST_DATABASE_URL, as .ci/run does")]
# Nothing listens on port 9 of loopback: the connection is refused, as when the server is down.
UNREACHABLE = {"postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/lms",
               "sqlite": "sqlite:////nonexistent-folder/for-the-outage-test/lms.sqlite3"}


def app_without_database(url: str, **settings):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        WTF_CSRF_ENABLED = False
    for name, value in settings.items():
        setattr(Config, name, value)
    return create_app(Config)


@pytest.fixture(autouse=True)
def outage_logger_enabled(monkeypatch):
    # Alembic's fileConfig (run by the migration tests) disables the loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("lms.core.outage"), "disabled", False)


@pytest.fixture(params=sorted(UNREACHABLE))
def down_client(request):
    app = app_without_database(UNREACHABLE[request.param])
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"  # signed in: the user is loaded from the database on every request
    yield client
    with app.app_context():
        db.engine.dispose()


def outage_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_page_answers_503_with_retry_after_and_the_apps_own_short_page(down_client, caplog):
    response = down_client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in page and "Nothing you had saved is lost" in page
    assert "Traceback" not in page and "Internal Server Error" not in page
    assert "Sign out" not in page  # the navigation needs the signed-in user: it is left out
    assert len(outage_records(caplog)) == 1
    assert "Database unavailable for GET /" in outage_records(caplog)[0].getMessage()


def test_a_posted_form_comes_back_with_what_was_typed_but_never_a_password(down_client):
    response = down_client.post("/login", data={"email": "somchai@example.org", "password": "secret words here"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert 'value="somchai@example.org"' in page and 'action="/login"' in page
    assert "secret words here" not in page


def test_a_long_answer_sent_at_that_moment_is_shown_back_to_send_again(down_client, caplog):
    answer = "The regulator should publish the spectrum roadmap first.\nThen consult the operators."
    response = down_client.post("/study/1/assignments/2", data={"text": answer, "submit": "Submit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "The regulator should publish the spectrum roadmap first." in page and "<textarea" in page
    assert 'type="hidden" name="submit" value="Submit"' in page
    assert len(outage_records(caplog)) == 1


def test_the_api_answers_a_json_503(down_client):
    response = down_client.get("/api/v1/courses")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.get_json()["error"]["code"] == "unavailable"


def test_readiness_says_unavailable_while_health_stays_constant(down_client):
    load_balancer = down_client.application.test_client()  # sends no session cookie
    assert load_balancer.get("/healthz").status_code == 200
    assert load_balancer.get("/readyz").status_code == 503


def test_postgresql_waits_are_bounded_below_the_worker_timeout():
    options = postgresql_engine_options(TestConfig.__dict__ | {
        "DATABASE_STATEMENT_TIMEOUT_MS": 20000, "DATABASE_LOCK_TIMEOUT_MS": 10000,
        "DATABASE_CONNECT_TIMEOUT_SECONDS": 5})
    assert options["connect_args"]["options"] == "-c statement_timeout=20000 -c lock_timeout=10000"
    assert options["connect_args"]["connect_timeout"] == 5 and options["pool_timeout"] < 30
    assert TestConfig.DATABASE_STATEMENT_TIMEOUT_MS < 30_000 and TestConfig.DATABASE_LOCK_TIMEOUT_MS < 30_000


@pytest.mark.parametrize("statement", ["SELECT pg_sleep(5)", "SELECT pg_advisory_lock(190019)"])
@pytest.mark.postgresql
@pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="PostgreSQL only: run with TEST_DATABASE_URL")
def test_a_statement_or_lock_wait_past_its_limit_is_answered_by_the_503_page(statement, caplog):
    app = app_without_database(PG_URL, DATABASE_STATEMENT_TIMEOUT_MS=300, DATABASE_LOCK_TIMEOUT_MS=300)
    app.add_url_rule("/slow", "slow", lambda: str(db.session.execute(text(statement)).scalar()))
    holder = create_engine(PG_URL).connect()
    try:
        holder.execute(text("SELECT pg_advisory_lock(190019)"))  # what the lock case waits for
        started = time.monotonic()
        response = app.test_client().get("/slow")
        assert response.status_code == 503 and "Temporarily unavailable" in response.get_data(as_text=True)
        assert time.monotonic() - started < 4
        assert len(outage_records(caplog)) == 1
    finally:
        holder.execute(text("SELECT pg_advisory_unlock_all()"))
        holder.close()
        with app.app_context():
            db.engine.dispose()


def test_the_errors_counted_as_an_outage_are_the_databases_not_the_requests():
    from sqlalchemy.exc import IntegrityError, OperationalError

    assert OperationalError in OUTAGE_ERRORS and IntegrityError not in OUTAGE_ERRORS
