"""Column types and helpers shared by the models, and how the app's database connections behave."""
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from time import monotonic

from flask import has_request_context, request
from sqlalchemy import DateTime, Numeric, event
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.types import TypeDecorator

from lms.core import clock

# A pooled connection unused for this long is checked before a request gets it (see ping_idle_connections).
IDLE_PING_SECONDS = 10
# A writer waits this long for SQLite's write lock before giving up (below the worker timeout).
SQLITE_BUSY_TIMEOUT_MS = 15000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utcnow() -> datetime:
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Exact(TypeDecorator):
    """A Decimal column (NUMERIC on PostgreSQL); SQLite keeps it as a number and gives a Decimal back.

    Points, weights and scores use it so no grade goes through binary floating point on its way
    to the pass mark. Six decimal places keep a millionth of a percent, below any displayed digit.
    """

    impl = Numeric(12, 6)
    cache_ok = True
    SCALE = Decimal("0.000001")

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":  # no native decimal: read as a number, made exact again below
            return dialect.type_descriptor(Numeric(12, 6, asdecimal=False))
        return dialect.type_descriptor(Numeric(12, 6))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        value = value.quantize(self.SCALE, ROUND_HALF_UP)
        return float(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(repr(value) if isinstance(value, float) else value).quantize(self.SCALE, ROUND_HALF_UP)


def enum_column(enum_class, name: str | None = None):
    """A portable enum column: stored as its value, checked by a CHECK constraint named `name`."""
    from sqlalchemy import Enum

    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        name=name or enum_class.__name__.lower(),
    )


def configure_sqlite(engine) -> None:
    """Make SQLite behave like a real database: enforce foreign keys and own its transactions.

    Python's sqlite3 module otherwise starts transactions lazily and mishandles SAVEPOINT, so a
    nested transaction could commit work its outer transaction meant to roll back.

    A transaction that reads and later writes cannot wait for the write lock (SQLite answers
    "database is locked" at once, whatever busy_timeout says), so every transaction that may write
    takes the lock up front with BEGIN IMMEDIATE and waits its turn; only the reads of GET and HEAD
    requests begin deferred. In WAL mode those reads never wait for a writer.
    """
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN" if is_read_only_request() else "BEGIN IMMEDIATE")


def is_read_only_request() -> bool:
    """Whether the work in progress is a page read (GET, HEAD): its transactions start without the write lock."""
    return has_request_context() and request.method in READ_ONLY_METHODS


def postgresql_engine_options(config) -> dict:
    """Statement, lock, connect and pool waits bounded below the worker timeout, so a slow or absent
    database is answered by the app's 503 page rather than by the worker being killed."""
    options = " ".join(f"-c {name}={value}" for name, value in (
        ("statement_timeout", config["DATABASE_STATEMENT_TIMEOUT_MS"]),
        ("lock_timeout", config["DATABASE_LOCK_TIMEOUT_MS"])))
    return {"connect_args": {"options": options, "connect_timeout": config["DATABASE_CONNECT_TIMEOUT_SECONDS"]},
            "pool_timeout": 10}


def ping_idle_connections(engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection before use when it has been idle, so a restarted database server or a
    firewall that dropped idle connections costs no request an error.

    SQLAlchemy's pool_pre_ping does the same before every use: a round trip that cost more than a
    fifth of the CPU of a light page under load. A connection in steady use needs no check; should the
    server go away under load, the first request to notice gets an error and the whole pool is renewed.
    """
    @event.listens_for(engine, "checkin")
    def remember_when_idle(dbapi_connection, connection_record):
        connection_record.info["idle_since"] = monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, connection_record, connection_proxy):
        idle_since = connection_record.info.get("idle_since")
        if idle_since is None or monotonic() - idle_since < idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as error:  # any failure means a dead connection: the pool opens a new one
            raise DisconnectionError() from error


def find_or_add(session, find, make):
    """The row `find()` returns, or the row `make()` builds, added in a savepoint. Two requests adding
    the same unique row at once get one row: the second waits for the first's, then finds it."""
    row = find()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = make()
            session.add(row)
    except IntegrityError:  # the savepoint's rollback has dropped our row again
        return find()
    return row
