"""Configuration classes, read from the environment."""
import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
# Keys that were ever published (in this file's history or its documentation) never sign anything.
PUBLISHED_SECRET_KEYS = {"dev-only-not-secret", "test-secret-key"}


def _database_url(default: str, variable: str = "DATABASE_URL") -> str:
    url = os.environ.get(variable) or default
    # Hosting platforms often hand out "postgres://" URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _whole_number(value: str) -> int:
    # A mistyped number is reported by the production checks instead of crashing the import.
    return int(value) if value.strip().isdigit() else -1


def _hosts(value: str) -> list[str]:
    return [host.strip() for host in value.split(",") if host.strip()]


class Config:
    # No default: without LMS_ENV=development (which keeps a random key under instance/), a key must be given.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    INSTANCE_DIR = BASE_DIR / "instance"
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{BASE_DIR / 'instance' / 'lms.sqlite3'}")
    DATA_DIR = Path(os.environ.get("LMS_DATA_DIR", BASE_DIR / "instance" / "data"))
    UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", DATA_DIR / "uploads"))
    PDF_DIR = Path(os.environ.get("PDF_DIR", DATA_DIR / "pdf"))
    COURSES_DIR = Path(os.environ.get("COURSES_DIR", BASE_DIR / "courses"))
    BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", DATA_DIR / "backups"))
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))  # nightly archives kept
    # The programme's signing keys (credentials and PDFs): owner-only, outside the web root and the repository.
    KEYS_DIR = Path(os.environ.get("LMS_KEYS_DIR", DATA_DIR / "keys"))
    # Where an alignment to the ASEAN Qualifications Reference Framework points (a programme sets its level).
    AQRF_URL = os.environ.get("AQRF_URL", "https://asean.org/asean-qualifications-reference-framework/")
    # Printed on certificates and their QR codes: the address verifiers reach, never a request's Host header.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    CERTIFICATE_VERIFY_LIMIT = "30 per minute"  # per address, the page and the API together
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024  # deploy/nginx.conf's client_max_body_size says the same
    # PostgreSQL waits end well before gunicorn's 30 s worker timeout and are answered by the app's
    # "temporarily unavailable" page (lms/core/outage.py); 0 turns a limit off (for maintenance).
    DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "20000"))
    DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "10000"))
    DATABASE_CONNECT_TIMEOUT_SECONDS = int(os.environ.get("DATABASE_CONNECT_TIMEOUT_SECONDS", "5"))
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
    PASSWORD_HASH_PARALLELISM = 2  # lanes, each hashed on a thread of its own

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed password checks: per client address, per (account, client), and a higher ceiling per account
    # that a browser which signed in to the account before is exempt from, so strangers cannot lock it.
    LOGIN_LIMIT_PER_ADDRESS = "20 per 10 minutes"
    LOGIN_LIMIT_PER_ACCOUNT_AND_CLIENT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "50 per 15 minutes"
    # A wrong current password (change password, turning two-factor sign-in off), per signed-in account.
    PASSWORD_CHECK_LIMIT = "5 per 15 minutes"
    REGISTRATION_LIMIT_PER_ADDRESS = "10 per hour"
    # How many reverse proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto (0: none, trust neither).
    TRUSTED_PROXY_HOPS = _whole_number(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
    # Host names the app answers to (Flask refuses others with a 400); empty: any (development only).
    TRUSTED_HOSTS = _hosts(os.environ.get("TRUSTED_HOSTS", "")) or None
    # "json" (one object a line, for log collectors) or "text" (readable); LOG_LEVEL as in logging.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    EMAIL_CONFIRMATION_MAX_AGE = timedelta(days=3)
    # An invitation to choose a first password: long enough for a busy official to get to it.
    INVITATION_MAX_AGE = timedelta(days=7)

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
    LANGUAGES = ["en", "zh_Hans", "vi", "th", "id", "ms", "km", "lo", "my", "fil"]  # lms/core/i18n.py names them
    ALLOW_DEMO_DATA = True
    # Admins, coordinators and instructors must set up two-factor sign-in before they can work (production).
    TWO_FACTOR_REQUIRED = os.environ.get("TWO_FACTOR_REQUIRED", "0") == "1"


    @classmethod
    def problems(cls, settings) -> list[str]:
        """What keeps the app from starting with these settings (the final app.config)."""
        if not settings.get("SECRET_KEY"):
            return ["SECRET_KEY is not set. Set it to a random value (python3 -c 'import secrets; "
                    "print(secrets.token_hex(32))'), or set LMS_ENV=development to run with a local key."]
        return []


class DevelopmentConfig(Config):
    @classmethod
    def local_secret_key(cls) -> str:
        """A random key made once and kept in instance/secret_key, so sessions survive a restart."""
        path = Path(cls.INSTANCE_DIR) / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(secrets.token_hex(32))
        return path.read_text().strip()


def _is_loopback(host: str | None) -> bool:
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    ALLOW_DEMO_DATA = False
    TWO_FACTOR_REQUIRED = os.environ.get("TWO_FACTOR_REQUIRED", "1") == "1"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Default: the host of PUBLIC_BASE_URL only (create_app fills it in).
    TRUSTED_HOSTS = _hosts(os.environ.get("TRUSTED_HOSTS", "")) or None

    @classmethod
    def problems(cls, settings) -> list[str]:
        found = []
        key = settings.get("SECRET_KEY") or ""
        if len(key) < 32 or key in PUBLISHED_SECRET_KEYS:
            found.append("SECRET_KEY must be set to a random value of at least 32 characters in production "
                         "(for example: python3 -c 'import secrets; print(secrets.token_hex(32))').")
        base = urlsplit(settings.get("PUBLIC_BASE_URL") or "")
        if base.scheme != "https" or not base.hostname or _is_loopback(base.hostname):
            found.append("PUBLIC_BASE_URL must be the https address people reach the site at, such as "
                         "https://training.example.org: it is printed on certificates and in every mailed link.")
        elif base.query or base.fragment:
            found.append("PUBLIC_BASE_URL must be a plain address, without ? or #.")
        if (settings.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
            found.append("RATELIMIT_STORAGE_URI must point at Redis (for example redis://127.0.0.1:6379/0): "
                         "with memory:// every worker counts failed sign-ins on its own.")
        hops = settings.get("TRUSTED_PROXY_HOPS")
        if not isinstance(hops, int) or hops < 0:
            found.append("TRUSTED_PROXY_HOPS must be a whole number of proxies, 0 or more.")
        if settings.get("LOG_FORMAT") not in ("json", "text"):
            found.append("LOG_FORMAT must be json or text.")
        return found


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    TRUSTED_PROXY_HOPS = 0
    TRUSTED_HOSTS = None
    LOG_FORMAT = "text"
    # Unlike the request's host ("localhost" in the test client), so a link built from the request shows.
    PUBLIC_BASE_URL = "https://training.example.org"
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://", "TEST_DATABASE_URL")
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 64  # KiB, with parallelism it must be >= 8 x lanes
    PASSWORD_HASH_PARALLELISM = 1  # a hash this small costs less than starting a thread for a second lane
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
    """The configuration LMS_ENV names; without LMS_ENV the base one, which needs an explicit SECRET_KEY."""
    name = os.environ.get("LMS_ENV")
    if not name:
        return Config
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"LMS_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
