"""/healthz stays trivial; /readyz says whether the database answers and the schema is at the migrations' head."""
from flask_migrate import downgrade, upgrade

from config import TestConfig
from lms import create_app
from lms.core import health
from lms.extensions import db
from tests.databases import throwaway_database


def test_healthz_is_a_constant_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_readyz_is_ready_only_at_the_migrations_head(database_url, tmp_path):
    with throwaway_database(database_url, "readyz", tmp_path) as url:
        app = create_app(type("Ready", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
        client = app.test_client()
        with app.app_context():
            not_migrated = client.get("/readyz")
            assert not_migrated.status_code == 503
            body = not_migrated.get_json()
            assert body["ready"] is False and body["checks"]["database"] == {"ok": True}
            assert "flask db upgrade" in body["checks"]["schema"]["problem"]
            upgrade()
            ready = client.get("/readyz")
            assert ready.status_code == 200 and ready.get_json() == {
                "ready": True, "checks": {"database": {"ok": True}, "schema": {"ok": True}}}
            downgrade(revision="-1")
            behind = client.get("/readyz").get_json()
            assert behind["ready"] is False and "run 'flask db upgrade'" in behind["checks"]["schema"]["problem"]
            db.engine.dispose()


def test_readyz_says_when_the_database_does_not_answer(tmp_path):
    app = create_app(type("NoDatabase", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'folder' / 'lms.sqlite3'}"}))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == {"ok": False, "problem": "failed: OperationalError"}


def test_a_readiness_check_can_be_appended(client, monkeypatch):
    monkeypatch.setattr(health, "READINESS_CHECKS", [*health.READINESS_CHECKS,
                                                     ("worker", lambda: "no worker seen for 10 minutes")])
    body = client.get("/readyz").get_json()
    assert body["checks"]["worker"] == {"ok": False, "problem": "no worker seen for 10 minutes"}
