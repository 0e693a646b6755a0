"""Configuration read from the environment; production refuses to start without what it requires."""
import pytest

from config import Config, DevelopmentConfig, ProductionConfig, _database_url, config_from_environment
from lms import create_app

GOOD_KEY = "k" * 64


def production(tmp_path, **settings) -> type[ProductionConfig]:
    """A production configuration with every requirement met, changed by `settings`."""
    values = {"SECRET_KEY": GOOD_KEY, "PUBLIC_BASE_URL": "https://training.example.org",
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/11", "TRUSTED_PROXY_HOPS": 1,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}", **settings}
    return type("Production", (ProductionConfig,), values)


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "short", "test-secret-key"])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production(tmp_path, SECRET_KEY=key))


@pytest.mark.parametrize("address", ["", "http://training.example.org", "https://127.0.0.1:5000",
                                     "https://localhost", "https://[::1]", "https://0.0.0.0", "https://",
                                     "training.example.org", "https://training.example.org/?x=1"])
def test_production_refuses_a_loopback_or_plain_http_public_address(tmp_path, address):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app(production(tmp_path, PUBLIC_BASE_URL=address))


@pytest.mark.parametrize("storage", ["memory://", "", None])
def test_production_refuses_rate_limits_counted_in_each_worker(tmp_path, storage):
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(production(tmp_path, RATELIMIT_STORAGE_URI=storage))


@pytest.mark.parametrize("hops", [-1, "two"])
def test_production_refuses_a_proxy_count_that_is_not_a_number(tmp_path, hops):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_HOPS"):
        create_app(production(tmp_path, TRUSTED_PROXY_HOPS=hops))


def test_production_refuses_an_unknown_log_format(tmp_path):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app(production(tmp_path, LOG_FORMAT="xml"))


def test_every_problem_is_named_at_once(tmp_path):
    with pytest.raises(RuntimeError) as refused:
        create_app(production(tmp_path, SECRET_KEY=None, PUBLIC_BASE_URL="", RATELIMIT_STORAGE_URI="memory://"))
    assert all(name in str(refused.value) for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "RATELIMIT_STORAGE_URI"))


def test_production_cookies_are_secure_and_http_only(tmp_path):
    app = create_app(production(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["ALLOW_DEMO_DATA"] is False


def test_production_answers_only_to_its_public_host(tmp_path):
    app = create_app(production(tmp_path))
    assert app.config["TRUSTED_HOSTS"] == ["training.example.org"]
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "training.example.org"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "attacker.example"}).status_code == 400
    # More names (an internal one for the load balancer) are listed explicitly.
    app = create_app(production(tmp_path, TRUSTED_HOSTS=["training.example.org", "lms.internal"]))
    assert app.test_client().get("/healthz", headers={"Host": "lms.internal"}).status_code == 200


def test_without_lms_env_a_secret_key_must_be_given(monkeypatch, tmp_path):
    """`gunicorn wsgi:app` without LMS_ENV must not sign sessions with a key anyone can read."""
    monkeypatch.delenv("LMS_ENV", raising=False)
    assert config_from_environment() is Config
    unconfigured = type("Unconfigured", (Config,), {"SECRET_KEY": None, "INSTANCE_DIR": tmp_path,
                                                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(unconfigured)
    assert not (tmp_path / "secret_key").exists()


def test_development_keeps_a_random_key_of_its_own_under_instance(tmp_path):
    development = type("Development", (DevelopmentConfig,), {"SECRET_KEY": None, "INSTANCE_DIR": tmp_path,
                                                             "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key = create_app(development).config["SECRET_KEY"]
    assert len(key) == 64 and key not in ("dev-only-not-secret", "test-secret-key")
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only
    assert create_app(development).config["SECRET_KEY"] == key  # sessions survive a restart
    other = type("Other", (development,), {"INSTANCE_DIR": tmp_path / "other"})
    assert create_app(other).config["SECRET_KEY"] != key


def test_the_published_development_key_is_gone_from_the_configuration():
    import config

    assert not hasattr(config, "DEV_SECRET_KEY")
    assert Config.SECRET_KEY != "dev-only-not-secret"


def test_the_environment_chooses_the_configuration(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    assert config_from_environment() is ProductionConfig
    monkeypatch.setenv("LMS_ENV", "development")
    assert config_from_environment() is DevelopmentConfig
    monkeypatch.setenv("LMS_ENV", "staging")
    with pytest.raises(RuntimeError, match="LMS_ENV must be one of"):
        config_from_environment()


def test_postgres_urls_get_the_psycopg_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://lms@db/lms")
    assert _database_url("sqlite://") == "postgresql+psycopg://lms@db/lms"
    monkeypatch.setenv("DATABASE_URL", "postgresql://lms@db/lms")
    assert _database_url("sqlite://") == "postgresql+psycopg://lms@db/lms"
