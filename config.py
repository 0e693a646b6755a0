"""Configuration classes, read from the environment."""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-not-secret"


def _database_url(default: str, variable: str = "DATABASE_URL") -> str:
    url = os.environ.get(variable) or default
    # Hosting platforms often hand out "postgres://" URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{BASE_DIR / 'instance' / 'lms.sqlite3'}")
    DATA_DIR = Path(os.environ.get("LMS_DATA_DIR", BASE_DIR / "instance" / "data"))
    UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", DATA_DIR / "uploads"))
    PDF_DIR = Path(os.environ.get("PDF_DIR", DATA_DIR / "pdf"))
    COURSES_DIR = Path(os.environ.get("COURSES_DIR", BASE_DIR / "courses"))
    # Printed on certificates and their QR codes: the address verifiers reach, never a request's Host header.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    CERTIFICATE_VERIFY_LIMIT = "30 per minute"  # per address, the page and the API together
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    # A rendered quota report is kept until its figures change, and at most this long (0: never kept).
    REPORT_CACHE_SECONDS = int(os.environ.get("REPORT_CACHE_SECONDS", "300"))

    # Mail always lands in the outbox table; it is also sent when an SMTP host is configured.
    MAIL_SMTP_HOST = os.environ.get("MAIL_SMTP_HOST", "")
    MAIL_SMTP_PORT = int(os.environ.get("MAIL_SMTP_PORT", "587"))
    MAIL_SMTP_USER = os.environ.get("MAIL_SMTP_USER", "")
    MAIL_SMTP_PASSWORD = os.environ.get("MAIL_SMTP_PASSWORD", "")
    MAIL_SMTP_STARTTLS = os.environ.get("MAIL_SMTP_STARTTLS", "1") == "1"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "ASEAN-China Telecom Training <noreply@localhost>")
    # starttls (587), tls (implicit, 465) or none (a relay on loopback only); certificates are always verified.
    MAIL_SMTP_SECURITY = os.environ.get("MAIL_SMTP_SECURITY", "tls" if MAIL_SMTP_PORT == 465 else
                                        "starttls" if MAIL_SMTP_STARTTLS else "none")
    MAIL_SMTP_CA_FILE = os.environ.get("MAIL_SMTP_CA_FILE", "")  # a private CA; the system's CAs otherwise
    MAIL_SMTP_TIMEOUT = float(os.environ.get("MAIL_SMTP_TIMEOUT", "20"))
    MAIL_BATCH_SIZE = 50  # mails sent over one SMTP connection
    # A mail claimed longer ago than this belongs to a worker that died and is taken again (default 10 min).
    MAIL_CLAIM_LEASE_SECONDS = int(os.environ.get("MAIL_CLAIM_LEASE_SECONDS", "0")) or None
    MAIL_MAX_ATTEMPTS = 8  # over about three hours; then the mail is marked failed and shown to admins

    # Background jobs (Huey): a SQLite file beside the data by default, redis://... in production.
    JOBS_BROKER_URL = os.environ.get("JOBS_BROKER_URL", "")
    JOBS_SQLITE_PATH = Path(os.environ.get("JOBS_SQLITE_PATH", DATA_DIR / "jobs.sqlite3"))
    # Days after an intake's end before its active enrolments are completed or failed (late grading).
    COMPLETION_GRACE_DAYS = int(os.environ.get("COMPLETION_GRACE_DAYS", "14"))

    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    # argon2id cost; tests lower it so the suite stays fast.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 64 * 1024

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = "20 per 10 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = None  # a slow link must not lose a long form to an expired token

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # The programme's calendar (intake dates, online deadlines, "today") is kept in this zone.
    PROGRAMME_TIME_ZONE = os.environ.get("PROGRAMME_TIME_ZONE", "Asia/Bangkok")
    LANGUAGES = ["en"]
    ALLOW_DEMO_DATA = True
    # Admins and coordinators must set up two-factor sign-in before they can work (production).
    TWO_FACTOR_REQUIRED = os.environ.get("TWO_FACTOR_REQUIRED", "0") == "1"


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    ALLOW_DEMO_DATA = False
    TWO_FACTOR_REQUIRED = os.environ.get("TWO_FACTOR_REQUIRED", "1") == "1"

    @classmethod
    def check(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://", "TEST_DATABASE_URL")
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 64  # KiB, with parallelism it must be >= 8 x lanes
    RATELIMIT_STORAGE_URI = "memory://"
    # Tests roll their data back, and with it the figures' version: a kept report could outlive its data.
    REPORT_CACHE_SECONDS = 0
    JOBS_BROKER_URL = "memory://"  # tests run the queued jobs themselves (tests/job_runner.py)


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("LMS_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"LMS_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
