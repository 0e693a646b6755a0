"""Configuration read from the environment; production refuses unsafe settings."""
import pytest

from config import ProductionConfig, _database_url, config_from_environment
from lms import create_app


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    for value in (None, "", "dev-only-not-secret", "short"):
        if value is None:
            monkeypatch.delenv("SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("SECRET_KEY", value)
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(ProductionConfig)


def test_production_cookies_are_secure_and_http_only(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)

    class Config(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'prod.sqlite3'}"

    app = create_app(Config)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["ALLOW_DEMO_DATA"] is False


def test_the_environment_chooses_the_configuration(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    assert config_from_environment() is ProductionConfig
    monkeypatch.setenv("LMS_ENV", "staging")
    with pytest.raises(RuntimeError, match="LMS_ENV must be one of"):
        config_from_environment()


def test_postgres_urls_get_the_psycopg_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://lms@db/lms")
    assert _database_url("sqlite://") == "postgresql+psycopg://lms@db/lms"
    monkeypatch.setenv("DATABASE_URL", "postgresql://lms@db/lms")
    assert _database_url("sqlite://") == "postgresql+psycopg://lms@db/lms"
