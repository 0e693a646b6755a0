"""SQLite, the embedded default: a transaction that may write takes the write lock up front and waits its
turn, so one that read first is not refused "database is locked" when another writer got in between."""
import threading

from sqlalchemy import create_engine, text

from lms.core.db import configure_sqlite, is_read_only_request


def sqlite_engine(path):
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (1, 0)"))
    return engine


def test_a_transaction_that_reads_then_writes_waits_for_another_writer_instead_of_failing(tmp_path):
    engine = sqlite_engine(tmp_path / "locking.sqlite3")
    other_started, other_done, failures = threading.Event(), threading.Event(), []

    def other_writer():
        other_started.set()
        try:
            with engine.begin() as connection:
                connection.execute(text("UPDATE counter SET value = value + 1"))
        except Exception as error:  # noqa: BLE001 - recorded, and the test fails on it
            failures.append(error)
        other_done.set()

    with engine.begin() as connection:
        seen = connection.execute(text("SELECT value FROM counter")).scalar()
        thread = threading.Thread(target=other_writer)
        thread.start()
        other_started.wait(5)
        # Without the lock taken at BEGIN, the other writer commits now and our write below is refused.
        assert not other_done.wait(0.3), "another writer got in while this transaction held the lock"
        connection.execute(text("UPDATE counter SET value = :value"), {"value": seen + 10})
    thread.join(20)

    assert failures == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM counter")).scalar() == 11
    engine.dispose()


def test_the_embedded_database_keeps_a_write_ahead_log_so_reads_do_not_wait_for_writers(tmp_path):
    engine = sqlite_engine(tmp_path / "wal.sqlite3")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_only_page_reads_begin_without_the_write_lock(app):
    for method, read_only in (("GET", True), ("HEAD", True), ("POST", False), ("DELETE", False)):
        with app.test_request_context("/", method=method):
            assert is_read_only_request() is read_only
    with app.app_context():  # a CLI command or a job
        assert is_read_only_request() is False
